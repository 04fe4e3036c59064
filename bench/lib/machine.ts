import { execFileSync } from 'node:child_process';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';

/** The machine and the load on it while the benchmark ran. */
export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  tfjs: string;
  loadAverage1m: number;
  /** Other training processes seen at start (their CPU use makes our numbers pessimistic). */
  concurrentJobs: string[];
}

/** Command lines of other running pretraining jobs (read-only look at the process list). */
function otherTrainingJobs(): string[] {
  try {
    const ps = execFileSync('ps', ['-eo', 'pid,pcpu,args'], { encoding: 'utf8' });
    return ps
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      // The process doing the work (tsx wrappers idle at ~0% CPU).
      .filter(([pid, cpu, exe, ...rest]) => Number(pid) !== process.pid && Number(cpu) >= 1 && /(^|\/)node$/.test(exe ?? '') && rest.some((a) => a.endsWith('pretrain.ts')))
      .map(([pid, cpu, , ...rest]) => `pid ${pid} at ${cpu}% CPU: ${rest.slice(rest.findIndex((a) => a.endsWith('pretrain.ts'))).join(' ')}`.slice(0, 200));
  } catch {
    return ['(process list unavailable)'];
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    tfjs: tf.version.tfjs,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    concurrentJobs: otherTrainingJobs(),
  };
}
