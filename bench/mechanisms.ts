/**
 * Cost of one on-device learning increment per mechanism (whole, lastBlock, lora, bias,
 * userEmbedding) and per window budget for long histories, on the shipped model, WASM in Node.
 * `npm run bench:mechanisms [-- --model public/models/ml-1m-sasrec --runs 3]` writes
 * bench/results/mechanisms-<date>.json and .md. A synthetic history (fixed seed) stands in for a
 * person: this is a timing run, the accuracy of each mechanism is eval:ondevice's job.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adapterBytes } from '../src/engine/train/adapters';
import { finetune } from '../src/engine/train/finetune';
import { MECHANISMS, mechanismPolicy, resolvePolicy, type FinetunePolicy, type Mechanism } from '../src/engine/train/finetunePolicy';
import { validateReplay } from '../src/engine/train/replay';
import { Rng } from '../src/engine/train/rng';
import { loadModelFiles } from '../scripts/lib/modelFiles';
import { failWith, intOption, parseCli } from '../scripts/lib/cli';
import { machineInfo } from './lib/machine';
import { table, writeResults } from './lib/report';
import { median, round } from './lib/stats';

const USAGE = 'usage: npm run bench:mechanisms [-- --model <dir>] [--runs 3] [--out bench/results]';
const { values: args } = parseCli('bench:mechanisms', USAGE, {
  options: { model: { type: 'string', default: 'public/models/ml-1m-sasrec' }, runs: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results' } },
});
const fail = failWith('bench:mechanisms');

interface Row { mechanism: Mechanism; history: number; windows: number; msPerStep: number; msPerIncrement: number; steps: number; storedBytes: number }

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = args.model ?? 'public/models/ml-1m-sasrec';
  const runs = intOption(fail, 'runs', args.runs ?? '3', 1);
  const { model } = loadModelFiles(modelDir);
  const pretrained = new Map([...model.weights].map(([n, v]) => [n, tf.clone(v) as tf.Tensor]));
  const replayFile = join(modelDir, 'replay.json');
  const replay = existsSync(replayFile) ? validateReplay(JSON.parse(readFileSync(replayFile, 'utf8')), model.config.numItems, replayFile) : [];
  const rng = new Rng(3);
  const person = (n: number) => {
    const sequence = rng.shuffle(Array.from({ length: model.config.numItems }, (_, i) => i + 1)).slice(0, n);
    return { sequence, weights: sequence.map(() => 1), disliked: [] };
  };
  // Every step runs (tolerance high, no drift cap): the cost of a full increment.
  const time = async (policy: FinetunePolicy, history: ReturnType<typeof person>) => {
    const ms: number[] = [];
    let steps = 0, bytes = 0;
    for (let r = 0; r <= runs; r++) {
      for (const [n, v] of model.weights) v.assign(pretrained.get(n) as tf.Tensor);
      const t0 = performance.now();
      const res = await finetune({ model, pretrained, history, policy, replay });
      if (r > 0) ms.push(performance.now() - t0); // the first run warms the kernels up
      steps = res.ran;
      bytes = res.adapter ? adapterBytes(res.adapter) : res.trainable.reduce((a, n) => a + model.w(n).size * 4, 0);
    }
    return { msPerIncrement: median(ms), msPerStep: median(ms) / steps, steps, bytes };
  };
  const rows: Row[] = [];
  const base = { tolerance: 100, maxDrift: 0 };
  const typical = person(150);
  for (const m of MECHANISMS) {
    const t = await time(resolvePolicy({ ...mechanismPolicy(m), ...base }), typical);
    rows.push({ mechanism: m, history: 150, windows: 1, msPerStep: round(t.msPerStep, 1), msPerIncrement: round(t.msPerIncrement, 0), steps: t.steps, storedBytes: t.bytes });
    process.stderr.write(`${m}: ${t.msPerStep.toFixed(1)} ms per step\n`);
  }
  const long = person(900);
  for (const m of ['whole', 'lora'] as const) {
    for (const windows of [1, 4]) {
      const t = await time(resolvePolicy({ ...mechanismPolicy(m), ...base, maxWindows: windows, maxSequence: 100_000 }), long);
      rows.push({ mechanism: m, history: 900, windows, msPerStep: round(t.msPerStep, 1), msPerIncrement: round(t.msPerIncrement, 0), steps: t.steps, storedBytes: t.bytes });
      process.stderr.write(`${m} long, ${windows} windows: ${t.msPerStep.toFixed(1)} ms per step\n`);
    }
  }
  for (const t of pretrained.values()) t.dispose();
  model.dispose();
  const machine = machineInfo();
  const md = [
    `# On-device learning cost per mechanism (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Model \`${modelDir}\`, WASM in Node, ${DEFAULT_STEPS} steps per increment with every step run, ${replay.length ? 'replay.json' : 'no'} replay, median of ${runs} runs after one warm-up. ${machine.cpuCount} × ${machine.cpuModel}, load average ${machine.loadAverage1m} at the start (shared machine: numbers are pessimistic).`,
    '',
    table(['mechanism', 'history items', 'windows per step', 'ms per step', 'ms per increment', 'stored per person (bytes)'],
      rows.map((r) => [r.mechanism, r.history, r.windows, r.msPerStep, r.msPerIncrement, r.storedBytes])),
    '',
  ].join('\n');
  const paths = writeResults(args.out ?? 'bench/results', 'mechanisms', { date: new Date().toISOString(), model: modelDir, runs, machine, rows }, md);
  process.stdout.write(`${md}\nwrote ${paths.json} and ${paths.md}\n`);
}

const DEFAULT_STEPS = resolvePolicy().steps;

main().catch((e: unknown) => fail((e as Error).message));
