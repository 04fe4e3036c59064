/**
 * Pretrains a SASRec model in Node (tfjs WASM backend), resumable.
 *
 *   npm run pretrain -- --data ../shared/datasets/ml-1m --out public/models/ml-1m-sasrec [--config cfg.json] [--resume]
 *
 * Checkpoints go to --checkpoint-dir (default runs/<model name>) every few minutes and at each
 * epoch end; --resume continues from there with the same batches, seeds and optimizer state.
 * --holdout-items <share> removes a seeded share of items from training (item cold start).
 * Stop cleanly with Ctrl-C or `touch <checkpoint-dir>/STOP`; --workers 2 uses both cores.
 * --snapshots also keeps every epoch's weights in <checkpoint-dir>/epochs/<epoch> (for
 * `npm run average-weights`); --max-minutes N stops cleanly (resumable) after N minutes.
 * --seed N replaces the config's train seed (batch order, dropout, validation sample), so one
 * config serves several seeds; --resume refuses train settings that differ from the checkpoint's.
 * --init-from <checkpoint or model dir> starts a fresh run from those weights (and that folder's
 * Adam state when it has one), e.g. a learning-rate decay phase ("schedule": "linear") after a
 * constant-rate run; the run's model config must match the folder's.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { featureMatrix, featureVocabulary } from '../src/engine/data/itemFeatures';
import { LocalRecError } from '../src/engine/errors';
import { rankMetrics } from '../src/engine/eval/metrics';
import { rankTargets } from '../src/engine/eval/rankTargets';
import { selectUsers, splitUsers } from '../src/engine/data/userSplit';
import { removeItems, splitItems } from '../src/engine/data/itemSplit';
import { resolveConfig, type SasRecConfig } from '../src/engine/model/config';
import { bucketedBatches, randomBatches } from '../src/engine/train/batches';
import { Rng } from '../src/engine/train/rng';
import { loadDataset } from './lib/loadDataset';
import { loadModelFiles, saveModelFiles } from './lib/modelFiles';
import { ParallelRunner } from './lib/parallelRunner';
import { LocalRunner, type RunnerInit, type TrainRunner } from './lib/trainRunner';
import { batchGradScale, checkModelBlock, resolveTrainOptions, scheduledLearningRate, trainChanges, type TrainOptions } from './lib/trainOptions';
import { bar, formatDuration, Progress } from './lib/progress';
import { leaveOneOut } from './lib/split';
import { failWith, parseCli } from './lib/cli';

interface RunState {
  epoch: number;
  /** Batches of `epoch` already done. */
  batchInEpoch: number;
  /** Sum and count of those batches' losses, so a resumed epoch reports its whole mean (absent in older checkpoints). */
  epochLossSum?: number;
  epochLossCount?: number;
  learningRate: number;
  bestNdcg: number;
  bestEpoch: number;
  epochsSinceBest: number;
  rng: number;
  history: { epoch: number; loss: number; validNdcg10: number; validHr10: number; lr: number; seconds: number }[];
  trainSeconds: number;
  done: boolean;
}

const USAGE = 'usage: npm run pretrain -- --data <file or dir> --out <model dir> [--config <json>] [--resume] ' +
  '[--checkpoint-dir <dir>] [--init-from <checkpoint dir>] [--seed N] [--max-minutes N] [--snapshots] [--precision float16|uint8|float32] ' +
  '[--workers N] [--holdout-users N] [--holdout-seed N] [--holdout-items N] [--holdout-items-seed N]';
const { values: args } = parseCli('pretrain', USAGE, {
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    resume: { type: 'boolean', default: false },
    'init-from': { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    'max-minutes': { type: 'string' },
    seed: { type: 'string' },
    snapshots: { type: 'boolean', default: false },
    precision: { type: 'string', default: 'float16' },
    workers: { type: 'string', default: '1' },
    'holdout-users': { type: 'string' },
    'holdout-seed': { type: 'string', default: '7' },
    'holdout-items': { type: 'string' },
    'holdout-items-seed': { type: 'string', default: '11' },
  },
});

const fail: (message: string) => never = failWith('pretrain');

if (!args.data || !args.out) fail(USAGE);
const outDir = args.out;
const ckptDir = args['checkpoint-dir'] ?? join('runs', basename(outDir));
const maxMinutes = args['max-minutes'] === undefined ? Infinity : Number(args['max-minutes']);
if (!(maxMinutes >= 0)) fail(`--max-minutes must be a number of minutes >= 0, got "${args['max-minutes']}"`);
let fileConfig: { model?: Partial<SasRecConfig>; train?: unknown } = {};
if (args.config) {
  try {
    fileConfig = JSON.parse(readFileSync(args.config, 'utf8'));
  } catch (e) {
    fail(`cannot read --config ${args.config}: ${(e as Error).message}`);
  }
}
const opts: TrainOptions = (() => {
  try {
    checkModelBlock(fileConfig.model);
    return resolveTrainOptions(fileConfig.train);
  } catch (e) {
    return fail(`--config ${args.config}: ${(e as Error).message}. Fix the file and run again.`);
  }
})();
if (args.seed !== undefined) {
  const seed = Number(args.seed);
  if (!/^\d+$/.test(args.seed) || !Number.isSafeInteger(seed)) fail(`--seed must be a whole number >= 0, got "${args.seed}"`);
  opts.seed = seed;
}

await tf.setBackend('wasm');
await tf.ready();

const loaded = (() => {
  try {
    return loadDataset(args.data);
  } catch (e) {
    if (e instanceof LocalRecError) fail(e.message);
    throw e;
  }
})();
const catalog = loaded.catalog;
// --holdout-users 0.2: those people never reach pretraining (eval:ondevice fine-tunes on them).
const holdout = args['holdout-users'] ? { share: Number(args['holdout-users']), seed: Number(args['holdout-seed']) } : null;
if (holdout && !(holdout.share > 0 && holdout.share < 1)) fail(`--holdout-users must be a share between 0 and 1, e.g. 0.2 (got ${args['holdout-users']})`);
const { trainUsers, heldOutUsers } = holdout ? splitUsers(loaded.dataset.sequences.length, holdout.share, holdout.seed) : { trainUsers: [], heldOutUsers: [] };
if (holdout) process.stderr.write(`holding out ${heldOutUsers.length} of ${loaded.dataset.sequences.length} users (seed ${holdout.seed})\n`);
const usersDataset = holdout ? selectUsers(loaded.dataset, trainUsers) : loaded.dataset;
// --holdout-items 0.1: those items' interactions never reach pretraining (eval:coldstart ranks them from content only).
const holdoutItems = args['holdout-items'] ? { share: Number(args['holdout-items']), seed: Number(args['holdout-items-seed']), items: [] as number[] } : null;
if (holdoutItems && !(holdoutItems.share > 0 && holdoutItems.share < 1)) fail(`--holdout-items must be a share between 0 and 1, e.g. 0.1 (got ${args['holdout-items']})`);
if (holdoutItems) {
  holdoutItems.items = splitItems(loaded.dataset.numItems, holdoutItems.share, holdoutItems.seed);
  process.stderr.write(`holding out ${holdoutItems.items.length} of ${loaded.dataset.numItems} items (seed ${holdoutItems.seed})\n`);
}
const dataset = holdoutItems ? removeItems(usersDataset, holdoutItems.items) : usersDataset;
const split = leaveOneOut(dataset);
const featureNames = opts.contentFeatures && catalog ? featureVocabulary(catalog, { titleBuckets: opts.titleBuckets }) : [];
const config = resolveConfig({ ...fileConfig.model, numItems: dataset.numItems, numFeatures: featureNames.length });
const features = featureNames.length && catalog ? featureMatrix(catalog, dataset.numItems, featureNames) : null;

mkdirSync(ckptDir, { recursive: true });
const ckptModelDir = join(ckptDir, 'checkpoint');
const stateFile = join(ckptModelDir, 'state.json');
const runFile = join(ckptDir, 'run.json');
let state: RunState;
const resuming = args.resume && existsSync(stateFile);
/** What the run that wrote this checkpoint recorded (read before this run overwrites it). */
const savedRun: { train?: Partial<TrainOptions>; initFrom?: InitFrom } = resuming && existsSync(runFile) ? JSON.parse(readFileSync(runFile, 'utf8')) : {};
if (resuming) {
  const saved = JSON.parse(readFileSync(join(ckptModelDir, 'config.json'), 'utf8')) as SasRecConfig;
  if (JSON.stringify(saved) !== JSON.stringify(config)) {
    fail(`checkpoint config differs from this run's config:\n${JSON.stringify(saved)}\n${JSON.stringify(config)}\nUse the same --config, or start without --resume.`);
  }
  const changed = savedRun.train ? trainChanges(savedRun.train, opts) : [];
  if (changed.length) {
    fail(`this checkpoint was trained with other train settings (${changed.join('; ')}); resuming would mix two recipes. ` +
      'Use the same --config and --seed as the run that wrote it, or give a new --checkpoint-dir.');
  }
  state = JSON.parse(readFileSync(stateFile, 'utf8'));
  process.stderr.write(`resumed from ${ckptDir} at epoch ${state.epoch} batch ${state.batchInEpoch} (best NDCG@10 ${state.bestNdcg.toFixed(4)} @ epoch ${state.bestEpoch + 1})\n`);
} else {
  if (args.resume) process.stderr.write(`no checkpoint in ${ckptDir}: starting fresh\n`);
  state = {
    epoch: 0, batchInEpoch: 0, learningRate: opts.learningRate, bestNdcg: -1, bestEpoch: -1,
    epochsSinceBest: 0, rng: opts.seed, history: [], trainSeconds: 0, done: false,
  };
}
// --init-from: a fresh run that starts from another run's weights (and Adam state, when saved there).
const initFrom = resuming ? savedRun.initFrom ?? null : args['init-from'] ? describeInitFrom(args['init-from']) : null;
if (initFrom && !resuming) {
  process.stderr.write(`starting from the weights in ${initFrom.dir}${initFrom.optimizer ? ' with its Adam state' : ' with a fresh Adam state (the folder has none)'}\n`);
}
writeFileSync(runFile, JSON.stringify({ data: args.data, config, train: opts, featureNames, holdout, holdoutItems, ...(initFrom ? { initFrom } : {}) }, null, 2));

interface InitFrom {
  dir: string;
  optimizer: boolean;
  /** The run that wrote the folder (its checkpoint dir, holding run.json and history.jsonl), when known. */
  run: string | null;
  /** Epochs that run had completed when the folder was written, when known. */
  epochs: number | null;
}

function describeInitFrom(dirArg: string): InitFrom {
  const dir = relative(process.cwd(), resolve(dirArg)) || '.';
  if (!existsSync(join(dir, 'model.json')) || !existsSync(join(dir, 'config.json'))) {
    fail(`--init-from ${dirArg} has no model.json and config.json; give a checkpoint folder (e.g. runs/<name>/checkpoint) or a model folder`);
  }
  const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as SasRecConfig;
  if (JSON.stringify(saved) !== JSON.stringify(config)) {
    fail(`--init-from ${dirArg} holds a model of another shape:\n${JSON.stringify(saved)}\n${JSON.stringify(config)}\nUse the "model" block (and data) that run used.`);
  }
  const optimizer = existsSync(join(dir, 'optimizer.json'));
  const run = existsSync(join(dirname(dir), 'run.json')) ? dirname(dir) : null;
  const stateFile = join(dir, 'state.json');
  const epochs = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as RunState).epoch : null;
  return { dir, optimizer, run, epochs };
}

const init: RunnerInit = {
  config, seed: opts.seed, features, featureNames,
  resumeDir: resuming ? ckptModelDir : initFrom?.dir ?? null, resumeOptimizer: resuming || !!initFrom?.optimizer,
  adam: { weightDecay: opts.weightDecay, clipNorm: opts.clipNorm, beta2: opts.beta2, epsilon: opts.epsilon }, loss: opts.loss,
  groupByLength: opts.batches === 'random',
};
const workerCount = Math.max(1, Number(args.workers) || 1);
const runner: TrainRunner = workerCount > 1 ? await ParallelRunner.start(workerCount, init) : new LocalRunner(init);
process.stderr.write(`training on ${workerCount} ${workerCount > 1 ? 'worker threads' : 'thread'} (tfjs ${tf.version.tfjs}, wasm)\n`);

const validRng = new Rng(opts.seed + 7);
const validCases = split.valid.length > opts.validUsers
  ? validRng.shuffle(split.valid.map((_, i) => i)).slice(0, opts.validUsers).sort((a, b) => a - b).map((i) => split.valid[i])
  : split.valid;

async function saveCheckpoint(): Promise<void> {
  await runner.save(ckptModelDir, true, { 'state.json': JSON.stringify(state) });
}

const progress = new Progress();
const started = Date.now();
const lengths = split.train.map((s) => Math.min(s.length - 1, config.maxLen));
const gradScale = batchGradScale(opts.lossWeighting, lengths);
let lastCheckpoint = Date.now();
let stopReason = '';
process.on('SIGTERM', () => { stopReason = 'SIGTERM'; });
process.on('SIGINT', () => { stopReason = 'SIGINT'; });
// tsx's wrapper may swallow signals: `touch <checkpoint-dir>/STOP` also stops cleanly after the current step.
const stopFile = join(ckptDir, 'STOP');
rmSync(stopFile, { force: true });

while (!state.done && state.epoch < opts.epochs && !stopReason) {
  // Same epoch, same batches: the order depends only on the seed and the epoch number.
  const batchRng = new Rng(opts.seed * 1000 + state.epoch);
  const batches = opts.batches === 'random' ? randomBatches(lengths.length, opts.batchSize, batchRng) : bucketedBatches(lengths, opts.batchSize, batchRng);
  const epochStart = Date.now();
  let stepsSinceStart = 0; // this process's steps in this epoch (speed and ETA)
  let lossSum = state.batchInEpoch > 0 ? state.epochLossSum ?? 0 : 0;
  let lossCount = state.batchInEpoch > 0 ? state.epochLossCount ?? 0 : 0;
  const rng = new Rng(0);
  rng.setState(state.rng);
  let lastLr = state.learningRate;
  for (let b = state.batchInEpoch; b < batches.length; b++) {
    const globalStep = state.epoch * batches.length + b + 1;
    const lr = scheduledLearningRate(opts, state.learningRate, globalStep, opts.epochs * batches.length);
    lastLr = lr;
    const t0 = Date.now();
    const loss = await runner.step(batches[b].map((i) => split.train[i]), lr, rng.seed(), gradScale(batches[b]));
    if (!Number.isFinite(loss)) fail(`loss became ${loss} at epoch ${state.epoch} batch ${b}; lower the learning rate`);
    state.trainSeconds += (Date.now() - t0) / 1000;
    lossSum += loss;
    lossCount++;
    stepsSinceStart++;
    state.batchInEpoch = b + 1;
    state.epochLossSum = lossSum;
    state.epochLossCount = lossCount;
    state.rng = rng.getState();
    const elapsed = Date.now() - epochStart;
    const perBatch = elapsed / Math.max(1, stepsSinceStart);
    progress.update(
      `epoch ${state.epoch + 1}/${opts.epochs} ${bar((b + 1) / batches.length)} ${b + 1}/${batches.length} ` +
        `loss ${(lossSum / lossCount).toFixed(4)} ${((stepsSinceStart * opts.batchSize * 1000) / Math.max(1, elapsed)).toFixed(1)} seq/s ` +
        `epoch ETA ${formatDuration(perBatch * (batches.length - b - 1))} best ${state.bestNdcg.toFixed(4)}@${state.bestEpoch + 1}`,
    );
    if (Date.now() - lastCheckpoint > opts.checkpointMinutes * 60_000) {
      await saveCheckpoint();
      lastCheckpoint = Date.now();
    }
    if ((Date.now() - started) / 60_000 > maxMinutes) { stopReason = `--max-minutes ${maxMinutes}`; break; }
    if (existsSync(stopFile)) stopReason = `${stopFile} exists`;
    if (stopReason) break;
  }
  if (state.batchInEpoch < batches.length) break;

  const ranks = await runner.rank(validCases);
  const m = rankMetrics(ranks);
  const epochSeconds = (Date.now() - epochStart) / 1000;
  state.history.push({ epoch: state.epoch + 1, loss: lossSum / Math.max(1, lossCount), validNdcg10: m['NDCG@10'], validHr10: m['HR@10'], lr: opts.schedule === 'linear' ? lastLr : state.learningRate, seconds: epochSeconds });
  appendFileSync(join(ckptDir, 'history.jsonl'), JSON.stringify(state.history[state.history.length - 1]) + '\n');
  if (m['NDCG@10'] > state.bestNdcg) {
    state.bestNdcg = m['NDCG@10'];
    state.bestEpoch = state.epoch;
    state.epochsSinceBest = 0;
    await runner.save(join(ckptDir, 'best'), false);
  } else {
    state.epochsSinceBest++;
    if (opts.schedule === 'plateau' && state.epochsSinceBest % opts.plateauEpochs === 0) state.learningRate = Math.max(opts.minLearningRate, state.learningRate / 2);
    if (state.epochsSinceBest >= opts.patience) state.done = true;
  }
  progress.update(
    `epoch ${state.epoch + 1} done in ${formatDuration(epochSeconds * 1000)}: loss ${(lossSum / Math.max(1, lossCount)).toFixed(4)} ` +
      `valid NDCG@10 ${m['NDCG@10'].toFixed(4)} HR@10 ${m['HR@10'].toFixed(4)} (best ${state.bestNdcg.toFixed(4)} @ ${state.bestEpoch + 1}) lr ${(opts.schedule === 'linear' ? lastLr : state.learningRate).toExponential(2)}`,
    true,
  );
  if (args.snapshots) await runner.save(join(ckptDir, 'epochs', String(state.epoch + 1).padStart(3, '0')), false);
  state.epoch++;
  state.batchInEpoch = 0;
  await saveCheckpoint();
  lastCheckpoint = Date.now();
}
progress.done();
if (stopReason || (!state.done && state.epoch < opts.epochs)) {
  await saveCheckpoint();
  await runner.close();
  process.stderr.write(`stopped (${stopReason || 'interrupted'}) at epoch ${state.epoch} batch ${state.batchInEpoch}; checkpoint saved in ${ckptDir}. Continue with --resume.\n`);
  process.exit(0);
}
state.done = true;
await saveCheckpoint();
process.stderr.write(`training finished: best valid NDCG@10 ${state.bestNdcg.toFixed(4)} at epoch ${state.bestEpoch + 1}. Exporting ${outDir}\n`);
await runner.close();
const best = loadModelFiles(join(ckptDir, 'best'));
await saveModelFiles(outDir, best.model, featureNames, args.precision as 'float16');
const test = rankMetrics((await rankTargets(best.model, split.test)).ranks);
writeFileSync(join(outDir, 'training.json'), JSON.stringify({
  data: basename(args.data), holdout, holdoutItems, config, train: opts, ...(initFrom ? { initFrom } : {}), bestEpoch: state.bestEpoch + 1, bestValidNdcg10: state.bestNdcg,
  epochs: state.history.length, trainSeconds: Math.round(state.trainSeconds), test, history: state.history,
}, null, 1));
if (catalog) writeFileSync(join(outDir, 'catalog.json'), JSON.stringify({ items: catalog }));
process.stderr.write(`test (all users, full ranking): ${JSON.stringify(test)}\n`);
