/**
 * The pretraining pipeline as a function (`npm run pretrain` and `npm run demo` call it): read the
 * data, choose or read the settings, train resumably, export the complete servable folder.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { featureMatrix, featureVocabulary } from '../../src/engine/data/itemFeatures';
import { LocalRecError } from '../../src/engine/errors';
import { resolveConfig, type SasRecConfig } from '../../src/engine/model/config';
import type { WeightPrecision } from '../../src/engine/model/modelFormat';
import { loadDataset, type DataFormat } from './loadDataset';
import { exportModelFolder, type FolderMetrics } from './exportFolder';
import { applyHoldout, checkInitFromHoldout, holdoutChanges, type HoldoutOptions, type HoldoutRecord } from './holdout';
import { loadModelFiles } from './modelFiles';
import { ParallelRunner } from './parallelRunner';
import { LocalRunner, type RunnerInit, type TrainRunner } from './trainRunner';
import { checkModelBlock, resolveTrainOptions, trainChanges, type TrainOptions } from './trainOptions';
import { choosePreset, dataStats, PRESET_NAMES, type PresetName } from './presets';
import { trainLoop, type RunState } from './trainLoop';
import { leaveOneOut } from './split';

export const PRECISIONS: readonly WeightPrecision[] = ['float16', 'uint8', 'float32'];

/** What `npm run pretrain` takes (see its usage line). */
export interface PretrainOptions extends HoldoutOptions {
  data: string;
  out: string;
  /** A config file; overrides the preset. */
  config?: string;
  preset?: PresetName;
  /** Bounds training (wall clock); the presets plan their schedule to end on it. */
  maxMinutes?: number;
  resume?: boolean;
  checkpointDir?: string;
  initFrom?: string;
  seed?: number;
  snapshots?: boolean;
  precision?: string;
  workers?: number;
  /** Data layout; 'auto' detects it. */
  format?: DataFormat | 'auto';
  /** Catalog file for an interactions CSV. */
  catalog?: string;
  /** Set `stop.requested` to stop cleanly after the current step (resumable). */
  stop?: { requested: string };
}

export interface PretrainResult {
  /** False when the run stopped before the end (resume with `resume: true`). */
  finished: boolean;
  outDir: string | null;
  checkpointDir: string;
  bestEpoch: number;
  bestValidNdcg10: number;
  metrics: FolderMetrics | null;
  trainSeconds: number;
}

const bad = (message: string): never => { throw new LocalRecError('INVALID_INPUT', message); };

/** Checks the options that need no data, so a mistake fails before anything is read or trained. */
export function checkPretrainOptions(o: PretrainOptions): void {
  if (!o.data || !o.out) bad('--data and --out are required');
  if (o.precision !== undefined && !PRECISIONS.includes(o.precision as WeightPrecision)) bad(`--precision must be one of ${PRECISIONS.join(', ')}, got "${o.precision}"`);
  if (o.preset !== undefined && !PRESET_NAMES.includes(o.preset)) bad(`--preset must be one of ${PRESET_NAMES.join(', ')}, got "${o.preset}"`);
  if (o.maxMinutes !== undefined && !(o.maxMinutes >= 0)) bad(`--max-minutes must be a number of minutes >= 0, got "${o.maxMinutes}"`);
  if (o.seed !== undefined && !(Number.isSafeInteger(o.seed) && o.seed >= 0)) bad(`--seed must be a whole number >= 0, got "${o.seed}"`);
  if (o.holdoutUsers !== undefined && !(o.holdoutUsers > 0 && o.holdoutUsers < 1)) bad(`--holdout-users must be a share between 0 and 1, e.g. 0.2 (got ${o.holdoutUsers})`);
  if (o.holdoutItems !== undefined && !(o.holdoutItems > 0 && o.holdoutItems < 1)) bad(`--holdout-items must be a share between 0 and 1, e.g. 0.1 (got ${o.holdoutItems})`);
}

function readConfigFile(file: string): { model?: Partial<SasRecConfig>; train?: unknown } {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return bad(`cannot read --config ${file}: ${(e as Error).message}`);
  }
}

/** A run's settings: the model, the train options, the preset (when no config file) and the item features. */
export interface RunSettings {
  opts: TrainOptions;
  preset: { name: PresetName; reasons: string[] } | null;
  featureNames: string[];
  config: SasRecConfig;
  features: ReturnType<typeof featureMatrix> | null;
}

/**
 * Settings of a pretraining run, the same for the Node and the PyTorch trainer: a config file wins;
 * else the preset, chosen from the data (its reasons are logged); `--seed` replaces the seed.
 */
export function runSettings(
  o: { config?: string; preset?: PresetName; maxMinutes?: number; seed?: number },
  dataset: Parameters<typeof dataStats>[0],
  catalog: Parameters<typeof dataStats>[1],
  log: (line: string) => void,
): RunSettings {
  let model: Partial<SasRecConfig> | undefined;
  let opts: TrainOptions;
  let preset: { name: PresetName; reasons: string[] } | null = null;
  if (o.config) {
    const file = readConfigFile(o.config);
    try {
      checkModelBlock(file.model);
      opts = resolveTrainOptions(file.train);
    } catch (e) {
      return bad(`--config ${o.config}: ${(e as Error).message}. Fix the file and run again.`);
    }
    model = file.model;
    log(`settings from --config ${o.config}`);
  } else {
    const choice = choosePreset(dataStats(dataset, catalog), o.preset ?? 'auto', o.maxMinutes);
    log(`settings chosen by --preset ${choice.preset} (--config <file> overrides):`);
    for (const r of choice.reasons) log(`  ${r}`);
    preset = { name: choice.preset, reasons: choice.reasons };
    model = choice.model;
    opts = choice.train;
  }
  if (o.seed !== undefined) opts.seed = o.seed;
  const featureNames = opts.contentFeatures && catalog ? featureVocabulary(catalog, { titleBuckets: opts.titleBuckets }) : [];
  const config = resolveConfig({ ...model, numItems: dataset.numItems, numFeatures: featureNames.length });
  const features = featureNames.length && catalog ? featureMatrix(catalog, dataset.numItems, featureNames) : null;
  return { opts, preset, featureNames, config, features };
}

interface InitFrom { dir: string; optimizer: boolean; run: string | null; epochs: number | null }

function describeInitFrom(dirArg: string, config: SasRecConfig): InitFrom {
  const dir = relative(process.cwd(), resolve(dirArg)) || '.';
  if (!existsSync(join(dir, 'model.json')) || !existsSync(join(dir, 'config.json'))) {
    bad(`--init-from ${dirArg} has no model.json and config.json; give a checkpoint folder (e.g. runs/<name>/checkpoint) or a model folder`);
  }
  const saved = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as SasRecConfig;
  if (JSON.stringify(saved) !== JSON.stringify(config)) {
    bad(`--init-from ${dirArg} holds a model of another shape:\n${JSON.stringify(saved)}\n${JSON.stringify(config)}\nUse the "model" block (and data) that run used.`);
  }
  const stateFile = join(dir, 'state.json');
  return {
    dir, optimizer: existsSync(join(dir, 'optimizer.json')),
    run: existsSync(join(dirname(dir), 'run.json')) ? dirname(dir) : null,
    epochs: existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as RunState).epoch : null,
  };
}

/**
 * Runs pretraining end to end. `log` receives every line the CLI prints (settings and reasons,
 * import report, progress, results). Throws LocalRecError on bad input before training starts.
 *
 * @example
 * const r = await runPretraining({ data: 'mine/interactions.csv', out: 'site/model', maxMinutes: 30 }, console.log);
 */
export async function runPretraining(o: PretrainOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<PretrainResult> {
  checkPretrainOptions(o);
  const precision = (o.precision ?? 'float16') as WeightPrecision;
  const outDir = o.out;
  const ckptDir = o.checkpointDir ?? join('runs', basename(outDir));
  const maxMinutes = o.maxMinutes ?? Infinity;
  await tf.setBackend('wasm');
  await tf.ready();

  const loaded = loadDataset(o.data, { catalog: o.catalog, format: o.format, onWarning: (m) => log(`warning: ${m}`), onReport: log });
  const catalog = loaded.catalog;
  const { dataset, holdout, holdoutItems } = applyHoldout(loaded.dataset, o, log);
  const split = leaveOneOut(dataset);
  if (split.train.length === 0 || split.valid.length === 0) bad(`no user in ${o.data} has the 3 interactions a train/validation/test split needs; add data`);

  const { opts, preset, featureNames, config, features } = runSettings(o, dataset, catalog, log);

  mkdirSync(ckptDir, { recursive: true });
  const ckptModelDir = join(ckptDir, 'checkpoint');
  const stateFile = join(ckptModelDir, 'state.json');
  const runFile = join(ckptDir, 'run.json');
  const resuming = !!o.resume && existsSync(stateFile);
  const savedRun: HoldoutRecord & { train?: Partial<TrainOptions>; initFrom?: InitFrom } = resuming && existsSync(runFile) ? JSON.parse(readFileSync(runFile, 'utf8')) : {};
  let state: RunState;
  if (resuming && ('holdout' in savedRun || 'holdoutItems' in savedRun)) {
    // The same rule as pretrain:torch: a resumed run holds out the people and items it started with.
    const changed = holdoutChanges(savedRun, { holdout, holdoutItems });
    if (changed.length) bad(`the checkpoint in ${ckptDir} held out other people or items (${changed.join('; ')}); resume with the same --holdout-users/--holdout-seed and --holdout-items/--holdout-items-seed, or use a new --checkpoint-dir`);
  }
  if (resuming) {
    const saved = JSON.parse(readFileSync(join(ckptModelDir, 'config.json'), 'utf8')) as SasRecConfig;
    if (JSON.stringify(saved) !== JSON.stringify(config)) {
      bad(`checkpoint config differs from this run's config:\n${JSON.stringify(saved)}\n${JSON.stringify(config)}\nUse the same --config, or start without --resume.`);
    }
    const changed = savedRun.train ? trainChanges(savedRun.train, opts) : [];
    if (changed.length) {
      bad(`this checkpoint was trained with other train settings (${changed.join('; ')}); resuming would mix two recipes. ` +
        'Use the same --config and --seed as the run that wrote it, or give a new --checkpoint-dir.');
    }
    state = JSON.parse(readFileSync(stateFile, 'utf8'));
    log(`resumed from ${ckptDir} at epoch ${state.epoch} batch ${state.batchInEpoch} (best NDCG@10 ${state.bestNdcg.toFixed(4)} @ epoch ${state.bestEpoch + 1})`);
  } else {
    if (o.resume) log(`no checkpoint in ${ckptDir}: starting fresh`);
    state = {
      epoch: 0, batchInEpoch: 0, learningRate: opts.learningRate, bestNdcg: -1, bestEpoch: -1,
      epochsSinceBest: 0, rng: opts.seed, history: [], trainSeconds: 0, clockSeconds: 0, done: false,
    };
  }
  const initFrom = resuming ? savedRun.initFrom ?? null : o.initFrom ? describeInitFrom(o.initFrom, config) : null;
  if (initFrom && !resuming && o.initFrom) checkInitFromHoldout(o.initFrom, initFrom.dir, initFrom.run, { holdout, holdoutItems }, log);
  if (initFrom && !resuming) log(`starting from the weights in ${initFrom.dir}${initFrom.optimizer ? ' with its Adam state' : ' with a fresh Adam state (the folder has none)'}`);
  writeFileSync(runFile, JSON.stringify({ data: o.data, config, train: opts, featureNames, holdout, holdoutItems, ...(initFrom ? { initFrom } : {}) }, null, 2));

  const init: RunnerInit = {
    config, seed: opts.seed, features, featureNames,
    resumeDir: resuming ? ckptModelDir : initFrom?.dir ?? null, resumeOptimizer: resuming || !!initFrom?.optimizer,
    adam: { weightDecay: opts.weightDecay, clipNorm: opts.clipNorm, beta2: opts.beta2, epsilon: opts.epsilon }, loss: opts.loss,
    groupByLength: opts.batches === 'random',
  };
  const workerCount = Math.max(1, o.workers ?? 1);
  const runner: TrainRunner = workerCount > 1 ? await ParallelRunner.start(workerCount, init) : new LocalRunner(init);
  log(`training on ${workerCount} ${workerCount > 1 ? 'worker threads' : 'thread'} (tfjs ${tf.version.tfjs}, wasm)`);
  const stopFile = join(ckptDir, 'STOP');
  rmSync(stopFile, { force: true });
  const stopReason = await trainLoop({ runner, opts, config, split, state, ckptDir, maxMinutes, snapshots: !!o.snapshots, stop: o.stop ?? { requested: '' }, stopFile, log });
  const base = { checkpointDir: ckptDir, bestEpoch: state.bestEpoch + 1, bestValidNdcg10: state.bestNdcg, trainSeconds: state.trainSeconds };
  if (stopReason) {
    await runner.save(ckptModelDir, true, { 'state.json': JSON.stringify(state) });
    await runner.close();
    log(`stopped (${stopReason}) at epoch ${state.epoch} batch ${state.batchInEpoch}; checkpoint saved in ${ckptDir}. Continue with --resume.`);
    return { ...base, finished: false, outDir: null, metrics: null };
  }
  state.done = true;
  await runner.save(ckptModelDir, true, { 'state.json': JSON.stringify(state) });
  log(`training finished: best valid NDCG@10 ${state.bestNdcg.toFixed(4)} at epoch ${state.bestEpoch + 1} (${((state.clockSeconds ?? 0) / 60).toFixed(1)} min). Exporting ${outDir}`);
  await runner.close();
  const best = loadModelFiles(join(ckptDir, 'best'));
  const t0 = Date.now();
  const metrics = await exportModelFolder({
    model: best.model, featureNames, dataset, catalog, split, out: outDir, precision, dataName: basename(o.data), log,
    training: {
      data: basename(o.data), ...(preset ? { preset: preset.name, presetReasons: preset.reasons } : {}), holdout, holdoutItems, config, train: opts, ...(initFrom ? { initFrom } : {}), bestEpoch: state.bestEpoch + 1,
      bestValidNdcg10: state.bestNdcg, epochs: state.history.length, trainSeconds: Math.round(state.trainSeconds), clockSeconds: Math.round(state.clockSeconds ?? 0),
      ...(state.decayFromSeconds !== undefined ? { decayFromSeconds: Math.round(state.decayFromSeconds) } : {}), finished: true, history: state.history,
    },
  });
  best.model.dispose();
  log(`export and evaluation took ${((Date.now() - t0) / 1000).toFixed(0)} s (on top of training)`);
  return { ...base, finished: true, outDir, metrics };
}
