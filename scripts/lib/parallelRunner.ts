import { Worker } from 'node:worker_threads';
import type { EvalCase } from '../../src/engine/eval/rankTargets';
import type { WorkerReply, WorkerRequest } from './parallelProtocol';
import type { RunnerInit, TrainRunner } from './trainRunner';

/**
 * Synchronous data parallelism over worker threads, one tfjs-WASM replica per core (tfjs WASM
 * is single-threaded in Node). Each step: the batch's sequences are dealt to the workers
 * (alternating by length, so work is balanced), each returns gradients of its mean loss, the
 * coordinator averages them weighted by target rows, and every worker applies the same update
 * with its own Adam, so the replicas stay bit-identical.
 */
export class ParallelRunner implements TrainRunner {
  private readonly workers: Worker[];

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  static async start(count: number, init: RunnerInit): Promise<ParallelRunner> {
    const workers = Array.from({ length: count }, () =>
      new Worker(new URL('./trainWorkerBoot.mjs', import.meta.url)));
    const runner = new ParallelRunner(workers);
    await Promise.all(workers.map((w) => runner.call(w, { type: 'init', init })));
    return runner;
  }

  private call(w: Worker, msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        w.off('error', onError);
        if (reply.type === 'error') reject(new Error(`training worker: ${reply.message}`));
        else resolve(reply);
      };
      const onError = (e: Error) => { w.off('message', onMessage); reject(e); };
      w.once('message', onMessage);
      w.once('error', onError);
      w.postMessage(msg, transfer);
    });
  }

  /** Deals sequences to the workers, alternating in length order so each gets a similar share of tokens. */
  private shards(sequences: Int32Array[]): Int32Array[][] {
    const sorted = [...sequences].sort((a, b) => a.length - b.length);
    const n = this.workers.length;
    return Array.from({ length: n }, (_, k) => sorted.filter((_, i) => i % n === k)).filter((s) => s.length > 0);
  }

  async step(sequences: Int32Array[], learningRate: number, seed: number, gradScale = 1): Promise<number> {
    const parts = this.shards(sequences);
    const replies = await Promise.all(parts.map((p, k) => this.call(this.workers[k], { type: 'grads', sequences: p, seed: seed + k })));
    let rows = 0;
    let loss = 0;
    const sum: Record<string, Float32Array> = {};
    for (const r of replies) {
      if (r.type !== 'grads') throw new Error('unexpected worker reply');
      rows += r.rows;
      loss += r.loss * r.rows;
      for (const [name, g] of Object.entries(r.grads)) {
        const acc = sum[name] ?? (sum[name] = new Float32Array(g.length));
        for (let i = 0; i < g.length; i++) acc[i] += g[i] * r.rows;
      }
    }
    for (const acc of Object.values(sum)) for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] / rows) * gradScale;
    await Promise.all(this.workers.map((w) => this.call(w, { type: 'apply', grads: sum, learningRate })));
    return loss / rows;
  }

  async rank(cases: EvalCase[]): Promise<Int32Array> {
    const n = this.workers.length;
    const parts = Array.from({ length: n }, (_, k) => cases.filter((_, i) => i % n === k));
    const replies = await Promise.all(parts.map((p, k) => this.call(this.workers[k], { type: 'rank', cases: p })));
    const out = new Int32Array(cases.length);
    replies.forEach((r, k) => {
      if (r.type !== 'ranks') throw new Error('unexpected worker reply');
      r.ranks.forEach((v, j) => { out[j * n + k] = v; });
    });
    return out;
  }

  async save(dir: string, withOptimizer: boolean, extra?: Record<string, string>): Promise<void> {
    await this.call(this.workers[0], { type: 'save', dir, withOptimizer, extra });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.call(w, { type: 'close' })));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
