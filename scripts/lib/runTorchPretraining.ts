/**
 * `npm run pretrain:torch` as a function: read the data with the TypeScript loaders, choose the
 * settings (config file or preset, as `npm run pretrain`), write the compact file the PyTorch
 * trainer reads, train with `python3 -m torch.distributed.run` (DDP: gloo on CPU, NCCL on GPUs),
 * then export the best weights through the one exporter (scripts/lib/exportFolder.ts).
 * `initFrom` starts a new phase from an earlier run's weights (scripts/lib/initFrom.ts). Held-out
 * people and items (`holdoutUsers`, `holdoutItems`) are chosen and recorded as `npm run pretrain`
 * does (scripts/lib/holdout.ts): they never reach the prepared data.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalRecError } from '../../src/engine/errors';
import type { SasRecConfig } from '../../src/engine/model/config';
import type { WeightPrecision } from '../../src/engine/model/modelFormat';
import { exportModelFolder, type FolderMetrics } from './exportFolder';
import { applyHoldout, checkInitFromHoldout, holdoutChanges, type HoldoutOptions, type HoldoutRecord } from './holdout';
import { describeTorchInitFrom, earlierPhase, type InitFrom } from './initFrom';
import { loadDataset, type DataFormat } from './loadDataset';
import { loadModelFiles } from './modelFiles';
import type { PresetName } from './presets';
import { checkPretrainOptions, PRECISIONS, runSettings } from './runPretraining';
import { leaveOneOut } from './split';
import { writeTorchData } from './torchData';
import { findTorchPython } from './torchPython';
import { trainChanges, type TrainOptions } from './trainOptions';

/** The trainer's entry (trainers/torch/train.py), found from this file so any working directory works. */
export const TORCH_TRAIN_SCRIPT = fileURLToPath(new URL('../../trainers/torch/train.py', import.meta.url));
/** torch.distributed.run with the one fix Debian's torch 1.13 needs on Python 3.11 (trainers/torch/launch.py). */
export const TORCH_LAUNCH_SCRIPT = fileURLToPath(new URL('../../trainers/torch/launch.py', import.meta.url));

/** What `npm run pretrain:torch` takes. */
export interface TorchPretrainOptions extends HoldoutOptions {
  data: string;
  out: string;
  config?: string;
  preset?: PresetName;
  maxMinutes?: number;
  /** Stop (resumably) after this many optimisation steps: for measuring a fixed number of batches. */
  maxSteps?: number;
  /** Processes (DDP ranks); on GPUs, one per GPU. */
  nproc?: number;
  resume?: boolean;
  checkpointDir?: string;
  /**
   * Start a new run from these weights: a torch run's checkpoint folder (with its Adam state) or a
   * LocalRec model folder (fresh Adam state). The model config must match the folder's.
   */
  initFrom?: string;
  seed?: number;
  precision?: string;
  format?: DataFormat | 'auto';
  catalog?: string;
  /** Only write <checkpoint dir>/data (data + settings) for launching train.py yourself, e.g. with torchrun on several nodes. */
  prepareOnly?: boolean;
}

/** What the Python trainer reports in <run>/result.json. */
export interface TorchResult {
  finished: boolean;
  stopReason: string;
  epoch: number;
  batchInEpoch: number;
  bestEpoch: number;
  bestValidNdcg10: number;
  history: { epoch: number; loss: number; validNdcg10: number; validHr10: number; lr: number; seconds: number }[];
  trainSeconds: number;
  clockSeconds: number;
  stepsThisRun: number;
  stepSecondsThisRun: number;
  /** Loss of the first and of the latest step of this process run (null without steps). */
  firstStepLoss: number | null;
  lastStepLoss: number | null;
  batchSize: number;
  processes: number;
  device: string;
  torch: string;
  /** The trainer's own test evaluation of the best weights (float32, PyTorch). */
  test?: Record<string, number>;
}

export interface TorchPretrainResult {
  finished: boolean;
  runDir: string;
  outDir: string | null;
  /** Null with prepareOnly. */
  torch: TorchResult | null;
  metrics: FolderMetrics | null;
}

const bad = (message: string): never => { throw new LocalRecError('INVALID_INPUT', message); };

/** Runs the Python trainer, forwarding its lines to `log`; resolves with its exit status. */
function runTrainer(python: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (stream: NodeJS.ReadableStream) => {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) if (l.trim()) log(l);
      });
      stream.on('end', () => { if (rest.trim()) log(rest); });
    };
    forward(child.stdout);
    forward(child.stderr);
    // Ctrl-C reaches the whole process group; the trainer saves a checkpoint and exits.
    const relay = () => { child.kill('SIGTERM'); };
    process.on('SIGTERM', relay);
    child.on('error', fail);
    child.on('close', (code) => { process.off('SIGTERM', relay); done(code ?? 1); });
  });
}

/**
 * Trains with PyTorch and writes the complete model folder to `o.out`.
 *
 * @example
 * await runTorchPretraining({ data: 'ml-1m', out: 'public/models/ml-1m-torch', config: 'configs/ml-1m-sasrec-v8-d128.json', nproc: 2 });
 */
export async function runTorchPretraining(o: TorchPretrainOptions, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<TorchPretrainResult> {
  checkPretrainOptions({ data: o.data, out: o.out, preset: o.preset, maxMinutes: o.maxMinutes, seed: o.seed, precision: o.precision, holdoutUsers: o.holdoutUsers, holdoutItems: o.holdoutItems });
  const nproc = o.nproc ?? 1;
  if (!Number.isInteger(nproc) || nproc < 1) bad(`--nproc must be a whole number >= 1, got "${o.nproc}"`);
  if (o.maxSteps !== undefined && !(Number.isInteger(o.maxSteps) && o.maxSteps >= 1)) bad(`--max-steps must be a whole number >= 1, got "${o.maxSteps}"`);
  const precision = (o.precision ?? 'float16') as WeightPrecision;
  if (!PRECISIONS.includes(precision)) bad(`--precision must be one of ${PRECISIONS.join(', ')}`);
  const { python, torchVersion } = findTorchPython();
  const runDir = o.checkpointDir ?? join('runs', `${basename(o.out)}-torch`);
  const prepDir = join(runDir, 'data');

  const loaded = loadDataset(o.data, { catalog: o.catalog, format: o.format, onWarning: (m) => log(`warning: ${m}`), onReport: log });
  const { catalog } = loaded;
  // The same people and items as `npm run pretrain` holds out; pretraining (train, validation and test cases) never sees them.
  const { dataset, holdout, holdoutItems } = applyHoldout(loaded.dataset, o, log);
  const split = leaveOneOut(dataset);
  if (split.train.length === 0 || split.valid.length === 0) bad(`no user in ${o.data} has the 3 interactions a train/validation/test split needs; add data`);

  const { opts, preset, featureNames, config, features } = runSettings(o, dataset, catalog, log);

  const settingsFile = join(prepDir, 'settings.json');
  const runFile = join(runDir, 'run.json');
  const resuming = !!o.resume && existsSync(join(runDir, 'checkpoint', 'state.json'));
  // Checked before anything is written: a wrong folder leaves the run and --out as they were.
  const savedRun: HoldoutRecord & { initFrom?: InitFrom } | null = resuming && existsSync(runFile) ? JSON.parse(readFileSync(runFile, 'utf8')) : null;
  const initFrom: InitFrom | null = resuming ? savedRun?.initFrom ?? null : o.initFrom ? describeTorchInitFrom(o.initFrom, config, log) : null;
  if (savedRun) {
    const changed = holdoutChanges(savedRun, { holdout, holdoutItems });
    if (changed.length) bad(`the checkpoint in ${runDir} held out other people or items (${changed.join('; ')}); resume with the same --holdout-users/--holdout-seed and --holdout-items/--holdout-items-seed, or use a new --checkpoint-dir`);
  }
  if (initFrom && !resuming && o.initFrom) checkInitFromHoldout(o.initFrom, initFrom.dir, initFrom.run, { holdout, holdoutItems }, log);
  if (resuming && o.initFrom) log(`--resume continues the checkpoint in ${runDir}; --init-from ${o.initFrom} is not read again`);
  if (resuming && existsSync(settingsFile)) {
    const saved = JSON.parse(readFileSync(settingsFile, 'utf8')) as { config: SasRecConfig; train: TrainOptions };
    if (JSON.stringify(saved.config) !== JSON.stringify(config)) bad(`the checkpoint in ${runDir} has another model config; use the same --config and data, or start without --resume`);
    const changed = trainChanges(saved.train, opts);
    if (changed.length) bad(`the checkpoint in ${runDir} was trained with other train settings (${changed.join('; ')}); use the same --config and --seed, or a new --checkpoint-dir`);
  } else if (o.resume) {
    log(`no checkpoint in ${runDir}: starting fresh`);
  }
  const meta = writeTorchData(prepDir, { split, numItems: dataset.numItems, features, featureNames, validUsers: opts.validUsers, seed: opts.seed });
  writeFileSync(settingsFile, JSON.stringify({ config, train: opts, featureNames }, null, 1));
  // The run's options as `npm run pretrain` writes them (export:model --run and a later --init-from read them).
  if (!resuming || !existsSync(runFile)) {
    writeFileSync(runFile, JSON.stringify({ data: o.data, trainer: 'pytorch', config, train: opts, featureNames, holdout, holdoutItems, ...(initFrom ? { initFrom } : {}) }, null, 2));
  }
  log(`wrote ${prepDir}: ${meta.trainSequences} training sequences, ${meta.validCases} validation and ${meta.testCases} test cases, ${meta.numFeatures} content features`);

  if (o.prepareOnly) {
    log(`prepared ${prepDir}; start: torchrun --nproc_per_node <N> ${TORCH_TRAIN_SCRIPT} --data ${prepDir} --run ${runDir}${initFrom && !resuming ? ` --init-from ${initFrom.dir}` : ''} (docs/SCALE.md)`);
    return { finished: false, runDir, outDir: null, torch: null, metrics: null };
  }
  const args = [TORCH_LAUNCH_SCRIPT, '--standalone', `--nproc_per_node=${nproc}`, TORCH_TRAIN_SCRIPT, '--data', prepDir, '--run', runDir];
  if (o.maxMinutes !== undefined && Number.isFinite(o.maxMinutes)) args.push('--max-minutes', String(o.maxMinutes));
  if (o.maxSteps !== undefined) args.push('--max-steps', String(o.maxSteps));
  if (resuming) args.push('--resume');
  else if (initFrom) args.push('--init-from', initFrom.dir);
  log(`training with PyTorch ${torchVersion} (${python}), ${nproc} process${nproc > 1 ? 'es' : ''}`);
  // One thread per process unless the caller chose otherwise (torch.distributed.run sets 1 for nproc > 1 itself).
  const env = { ...process.env, PYTHONUNBUFFERED: '1', ...(process.env.OMP_NUM_THREADS ? {} : nproc > 1 ? { OMP_NUM_THREADS: '1' } : {}) };
  const status = await runTrainer(python, args, env, log);
  const resultFile = join(runDir, 'result.json');
  if (status !== 0 || !existsSync(resultFile)) {
    throw new LocalRecError('INTERNAL', `the PyTorch trainer exited with status ${status}${existsSync(resultFile) ? '' : ' without a result'}; see its output above. Continue with --resume once fixed.`);
  }
  const torch = JSON.parse(readFileSync(resultFile, 'utf8')) as TorchResult;
  if (torch.stepsThisRun > 0) {
    log(`PyTorch steps this run: ${torch.stepsThisRun} in ${torch.stepSecondsThisRun.toFixed(1)} s = ${(torch.stepsThisRun * torch.batchSize / Math.max(1e-9, torch.stepSecondsThisRun)).toFixed(1)} seq/s (${torch.processes} process${torch.processes > 1 ? 'es' : ''}, ${torch.device})`);
  }
  if (!torch.finished) return { finished: false, runDir, outDir: null, torch, metrics: null };

  await tf.setBackend('wasm');
  await tf.ready();
  // The trainer's best/ folder is a complete float32 LocalRec model (content features included).
  const best = loadModelFiles(join(runDir, 'best'));
  const metrics = await exportModelFolder({
    model: best.model, featureNames, dataset, catalog, split, out: o.out, precision, dataName: basename(o.data), log,
    training: {
      trainer: `pytorch ${torch.torch} (${torch.processes} process${torch.processes > 1 ? 'es' : ''}, ${torch.device}, DDP)`,
      data: basename(o.data), ...(preset ? { preset: preset.name, presetReasons: preset.reasons } : {}), holdout, holdoutItems, config, train: opts,
      bestEpoch: torch.bestEpoch, bestValidNdcg10: torch.bestValidNdcg10, epochs: torch.history.length,
      trainSeconds: Math.round(torch.trainSeconds), clockSeconds: Math.round(torch.clockSeconds), finished: true,
      torchTest: torch.test, history: torch.history, ...(initFrom ? { initFrom, continuedFrom: earlierPhase(initFrom) } : {}),
    },
  });
  best.model.dispose();
  if (torch.test) {
    const diff = metrics.byPrecision.float32['NDCG@10'] - torch.test['NDCG@10'];
    log(`test NDCG@10: PyTorch ${torch.test['NDCG@10'].toFixed(4)}, tfjs float32 ${metrics.byPrecision.float32['NDCG@10'].toFixed(4)} (difference ${diff.toFixed(4)}), shipped ${precision} ${metrics.metrics['NDCG@10'].toFixed(4)}`);
  }
  mkdirSync(o.out, { recursive: true });
  return { finished: true, runDir, outDir: o.out, torch, metrics };
}
