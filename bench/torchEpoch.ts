/**
 * One ML-1M epoch of the shipped config: the PyTorch trainer (DDP, N processes) against the Node
 * trainer (tfjs WASM, N worker threads), same machine, same data, same batch size, one run each.
 * Each trainer runs a fixed number of optimisation steps on the real data and the epoch time is
 * extrapolated from the measured sequences per second (an epoch is every training sequence once).
 *
 *   npm run bench:torch -- [--data ../shared/datasets/ml-1m] [--config configs/ml-1m-sasrec-v8-d128.json] [--steps 8] [--nproc 2] [--skip-node]
 *
 * Writes bench/results/torch-epoch-<date>.json and .md.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { featureMatrix, featureVocabulary } from '../src/engine/data/itemFeatures';
import { resolveConfig, type SasRecConfig } from '../src/engine/model/config';
import { randomBatches } from '../src/engine/train/batches';
import { Rng } from '../src/engine/train/rng';
import { intOption, parseCli } from '../scripts/lib/cli';
import { loadDataset } from '../scripts/lib/loadDataset';
import { ParallelRunner } from '../scripts/lib/parallelRunner';
import { runTorchPretraining } from '../scripts/lib/runTorchPretraining';
import { leaveOneOut } from '../scripts/lib/split';
import { LocalRunner, type TrainRunner } from '../scripts/lib/trainRunner';
import { resolveTrainOptions } from '../scripts/lib/trainOptions';
import { table, writeResults } from './lib/report';

const USAGE = 'usage: npm run bench:torch -- [--data <ml-1m dir>] [--config <json>] [--steps N] [--nproc N] [--skip-node]';
const { values: args } = parseCli('bench:torch', USAGE, {
  options: {
    data: { type: 'string', default: '../shared/datasets/ml-1m' },
    config: { type: 'string', default: 'configs/ml-1m-sasrec-v8-d128.json' },
    steps: { type: 'string', default: '8' },
    nproc: { type: 'string', default: '2' },
    'skip-node': { type: 'boolean', default: false },
  },
});
const fail = (m: string): never => { process.stderr.write(`bench:torch: ${m}\n`); process.exit(2); };
const steps = intOption(fail, 'steps', args.steps ?? '8');
const nproc = intOption(fail, 'nproc', args.nproc ?? '2');
const data = args.data ?? '';
const configFile = args.config ?? '';

interface Row { trainer: string; processes: number; steps: number; seconds: number; seqPerSecond: number; epochMinutes: number; load1mBefore: number; load1mAfter: number }
const load = () => Math.round(os.loadavg()[0] * 100) / 100;

const file = JSON.parse(readFileSync(configFile, 'utf8')) as { model: Partial<SasRecConfig>; train: unknown };
const opts = resolveTrainOptions(file.train);
const loaded = loadDataset(data, { onWarning: () => undefined });
const split = leaveOneOut(loaded.dataset);
const trainSequences = split.train.length;
const rows: Row[] = [];

// PyTorch: the real CLI pipeline, stopped after `steps` steps (its own timer covers the steps only).
{
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-torch-'));
  const before = load();
  const r = await runTorchPretraining({ data, out: join(dir, 'out'), config: configFile, nproc, maxSteps: steps, checkpointDir: join(dir, 'run') }, (l) => process.stderr.write(`  torch | ${l}\n`));
  const t = r.torch;
  if (!t) throw new Error('the PyTorch trainer returned no result');
  const seqPerSecond = (t.stepsThisRun * opts.batchSize) / t.stepSecondsThisRun;
  rows.push({ trainer: `PyTorch ${t.torch} DDP (gloo, ${t.device})`, processes: nproc, steps: t.stepsThisRun, seconds: t.stepSecondsThisRun, seqPerSecond, epochMinutes: trainSequences / seqPerSecond / 60, load1mBefore: before, load1mAfter: load() });
  rmSync(dir, { recursive: true, force: true });
}

// Node: the runners `npm run pretrain --workers N` uses, on the same random batches of the same data.
if (!args['skip-node']) {
  await tf.setBackend('wasm');
  await tf.ready();
  const featureNames = opts.contentFeatures && loaded.catalog ? featureVocabulary(loaded.catalog, { titleBuckets: opts.titleBuckets }) : [];
  const config = resolveConfig({ ...file.model, numItems: loaded.dataset.numItems, numFeatures: featureNames.length });
  const features = featureNames.length && loaded.catalog ? featureMatrix(loaded.catalog, loaded.dataset.numItems, featureNames) : null;
  const init = { config, seed: opts.seed, features, featureNames, resumeDir: null, adam: { weightDecay: opts.weightDecay, clipNorm: opts.clipNorm, beta2: opts.beta2, epsilon: opts.epsilon }, loss: opts.loss, groupByLength: opts.batches === 'random' };
  const runner: TrainRunner = nproc > 1 ? await ParallelRunner.start(nproc, init) : new LocalRunner(init);
  const batches = randomBatches(trainSequences, opts.batchSize, new Rng(opts.seed * 1000));
  const rng = new Rng(opts.seed);
  // One untimed warm-up step first: the WASM modules and kernels start up inside the first step
  // (25 s of 114 s in a run of 8), which would otherwise count as training time.
  await runner.step(batches[batches.length - 1].map((i) => split.train[i]), opts.learningRate, rng.seed());
  const before = load();
  const t0 = Date.now();
  for (let b = 0; b < steps; b++) {
    await runner.step(batches[b].map((i) => split.train[i]), opts.learningRate, rng.seed());
    process.stderr.write(`  node | step ${b + 1}/${steps} ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const seconds = (Date.now() - t0) / 1000;
  await runner.close();
  const seqPerSecond = (steps * opts.batchSize) / seconds;
  rows.push({ trainer: `Node tfjs ${tf.version.tfjs} (wasm, ${nproc > 1 ? 'worker threads' : 'one thread'})`, processes: nproc, steps, seconds, seqPerSecond, epochMinutes: trainSequences / seqPerSecond / 60, load1mBefore: before, load1mAfter: load() });
}

const json = { date: new Date().toISOString(), data, config: configFile, trainSequences, batchSize: opts.batchSize, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, rows };
const md = [
  `# One ML-1M epoch of ${configFile}: PyTorch vs Node (${new Date().toISOString().slice(0, 16)}Z)`,
  '',
  `${trainSequences} training sequences per epoch, batch ${opts.batchSize}; each trainer ran ${steps} timed steps on the real data (Node after one untimed warm-up step) and the epoch is extrapolated from its sequences per second. ` +
  `${os.cpus().length} CPUs (${os.cpus()[0]?.model}); the 1-minute load average before/after each run says how busy the machine was. Command: \`npm run bench:torch -- --steps ${steps} --nproc ${nproc}\`.`,
  '',
  table(['trainer', 'processes', 'steps', 'seconds', 'seq/s', 'epoch (min, extrapolated)', 'load before/after'],
    rows.map((r) => [r.trainer, r.processes, r.steps, r.seconds.toFixed(1), r.seqPerSecond.toFixed(1), r.epochMinutes.toFixed(2), `${r.load1mBefore} / ${r.load1mAfter}`])),
].join('\n');
const paths = writeResults('bench/results', 'torch-epoch', json, md);
process.stderr.write(`${md}\n\nwrote ${paths.json} and ${paths.md}\n`);
process.exit(0);
