/**
 * `--init-from` for the PyTorch trainer (`npm run pretrain:torch`), and the earlier phase that
 * `export:model` and the torch export write as training.json's continuedFrom (both trainers).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { LocalRecError } from '../../src/engine/errors';
import { resolveConfig, type SasRecConfig } from '../../src/engine/model/config';

/** run.json's initFrom (the same fields for the Node and the PyTorch trainer). */
export interface InitFrom {
  /** The folder the weights came from, relative to the working directory. */
  dir: string;
  /** True when its Adam state was loaded too. */
  optimizer: boolean;
  /** The run that wrote the folder (it has a run.json), else null. */
  run: string | null;
  /** Epochs that run had done when the folder was written (its state.json), else null. */
  epochs: number | null;
}

const bad = (message: string): never => { throw new LocalRecError('INVALID_INPUT', message); };

/** What each config field is, for the error naming it. */
const SHAPE_FIELDS: Record<string, string> = {
  numItems: 'numItems (items in the data)', numFeatures: 'numFeatures (content features)', dim: 'dim', blocks: 'blocks',
  heads: 'heads', ffnDim: 'ffnDim', maxLen: 'maxLen', positions: 'positions', block: 'block',
};
/** Fields that change what the weights mean; the rest (dropout, idDropout, initStd, attentionInit) only training or a fresh init. */
const DEFAULTS: Record<string, unknown> = { positions: 'fromEnd', block: 'preLN' };

/** The model config a source folder was trained with, or null when it has none. */
function sourceConfig(dir: string): Partial<SasRecConfig> & { numItems: number } | null {
  if (existsSync(join(dir, 'config.json'))) return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  // A torch checkpoint written before checkpoints carried config.json: the run's settings.
  const settings = join(dirname(dir), 'data', 'settings.json');
  if (existsSync(join(dir, 'checkpoint.pt')) && existsSync(settings)) return JSON.parse(readFileSync(settings, 'utf8')).config;
  return null;
}

/**
 * Checks an `--init-from` folder for `npm run pretrain:torch` against this run's model config and
 * describes it for run.json. Accepts a torch run's checkpoint folder (checkpoint.pt + state.json:
 * weights and Adam state) or any LocalRec model folder (model.json + config.json: an exported model,
 * a torch run's best/, a Node run's best/ or checkpoint/: weights only). Throws INVALID_INPUT naming
 * each model field that differs, before anything is written.
 */
export function describeTorchInitFrom(dirArg: string, config: SasRecConfig, log: (line: string) => void): InitFrom {
  const dir = relative(process.cwd(), resolve(dirArg)) || '.';
  const torchCheckpoint = existsSync(join(dir, 'checkpoint.pt')) && existsSync(join(dir, 'state.json'));
  const modelFolder = existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'config.json'));
  const saved = torchCheckpoint || modelFolder ? sourceConfig(dir) : null;
  if (!saved) {
    bad(`--init-from ${dirArg} has no model.json and config.json (nor a PyTorch checkpoint.pt); give a checkpoint folder ` +
      '(e.g. runs/<name>-torch/checkpoint), a model folder, or a Node run\'s best/ or checkpoint/');
  }
  const source = resolveConfig(saved as Partial<SasRecConfig> & { numItems: number }) as unknown as Record<string, unknown>;
  const here = config as unknown as Record<string, unknown>;
  const value = (c: Record<string, unknown>, k: string) => JSON.stringify(c[k] ?? DEFAULTS[k] ?? null);
  const differs = (k: string) => value(source, k) !== value(here, k);
  const shape = Object.keys(SHAPE_FIELDS).filter(differs);
  if (shape.length) {
    bad(`--init-from ${dirArg} holds a model of another shape: ${shape.map((k) => `${SHAPE_FIELDS[k]} is ${value(source, k)} there, ${value(here, k)} in this run`).join('; ')}. ` +
      `Use the "model" block of the run that wrote it in --config${shape.some((k) => k === 'numItems' || k === 'numFeatures') ? ', with the same --data, --catalog and content-feature settings' : ''}, or start without --init-from.`);
  }
  const other = [...new Set([...Object.keys(source), ...Object.keys(here)])].filter((k) => !(k in SHAPE_FIELDS) && differs(k));
  if (other.length) log(`--init-from: this run's ${other.map((k) => `${k} ${value(here, k)} (the source had ${value(source, k)})`).join(', ')}`);
  const stateFile = join(dir, 'state.json');
  return {
    dir, optimizer: torchCheckpoint,
    run: existsSync(join(dirname(dir), 'run.json')) ? dirname(dir) : null,
    epochs: existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { epoch: number }).epoch : null,
  };
}

/**
 * The run a `--init-from` run continued: its options and the epochs it had done when the folder was
 * written (history cut there), so the model card can describe both phases (training.json's continuedFrom).
 */
export function earlierPhase(initFrom: InitFrom) {
  const base = { dir: initFrom.dir, optimizer: initFrom.optimizer, epochs: initFrom.epochs };
  if (!initFrom.run || !existsSync(join(initFrom.run, 'run.json'))) return base;
  const earlier = JSON.parse(readFileSync(join(initFrom.run, 'run.json'), 'utf8'));
  const statePath = join(initFrom.run, 'checkpoint', 'state.json');
  const earlierState = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : null;
  const history = ((earlierState?.history ?? []) as { epoch: number }[]).filter((h) => initFrom.epochs === null || h.epoch <= initFrom.epochs);
  return {
    ...base, run: initFrom.run, train: earlier.train, history,
    // Step time is only known when the earlier run stopped where this one took over.
    trainSeconds: earlierState && earlierState.epoch === initFrom.epochs ? Math.round(earlierState.trainSeconds) : null,
  };
}
