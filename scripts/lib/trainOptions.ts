/** Pretraining hyper-parameters (the model's own live in SasRecConfig) and their checks. */
import type { LossSpec } from '../../src/engine/train/losses';

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Halve the learning rate after this many epochs without a new best validation NDCG@10. */
  plateauEpochs: number;
  minLearningRate: number;
  /** Stop after this many epochs without a new best. */
  patience: number;
  loss: LossSpec;
  /** Users scored for validation each epoch (a fixed random subset; all when larger). */
  validUsers: number;
  checkpointMinutes: number;
  /** Use the catalog's genres and years as content features. */
  contentFeatures: boolean;
  /** With contentFeatures: also hash title words into this many buckets (0 = no title words). */
  titleBuckets: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value; 0 disables clipping. */
  clipNorm: number;
  /** Adam's second-moment decay (0.999 in the reference SASRec code). */
  beta2: number;
  /** Adam's epsilon (1e-8 in the reference SASRec code). */
  epsilon: number;
  /**
   * How target tokens are weighted. 'batch' (default): each batch's loss is the mean over its own
   * targets, so with length-bucketed batches a token of a short history weighs up to ten times a
   * token of a long one. 'token': every target token of the training set weighs the same, as in
   * unbucketed random batches (the reference code): the batch gradient is scaled by its target
   * count over the expected count (batch size x mean targets per sequence).
   */
  lossWeighting: 'batch' | 'token';
  /**
   * How people are grouped into batches. 'bucketed' (default): people of similar history length
   * share a batch, so little compute goes to padding. 'random': plain shuffled batches, as in the
   * reference code; each batch is still computed as a few groups of similar length whose gradients
   * are summed, so it costs about what a bucketed batch does.
   */
  batches: 'bucketed' | 'random';
  /**
   * Learning rate after warm-up. 'plateau' (default): learningRate, halved after plateauEpochs
   * epochs without a new best. 'linear': falls in a straight line from learningRate at the first
   * step to 0 after the last step of `epochs` (a decay phase, e.g. continuing a constant-rate run
   * with --init-from). 'timed': learningRate, then linear to 0 at timedMinutes of wall clock
   * (steps and validation), where training stops (the presets). The decay starts when validation
   * flattens (see flatGain), but not before the last decayShare of the budget and not after the
   * last decayMinShare of it.
   */
  schedule: 'plateau' | 'linear' | 'timed';
  /** With schedule 'timed': the training budget in minutes of wall clock. */
  timedMinutes: number;
  /** With schedule 'timed': the longest share of timedMinutes spent decaying the rate to 0. */
  decayShare: number;
  /**
   * With schedule 'timed': the shortest share of timedMinutes spent decaying (the decay starts at
   * 1 - decayMinShare of the budget at the latest). Equal to decayShare when a config leaves it
   * out, which gives a fixed split.
   */
  decayMinShare: number;
  /**
   * With schedule 'timed': validation counts as flat, and the decay may start, once the best
   * validation NDCG@10 rose by less than this share per epoch over the last 3 epochs. A decay
   * pays once gains are small (the shipped model); while they are large it only slows learning.
   */
  flatGain: number;
}

export const DEFAULT_TRAIN: TrainOptions = {
  seed: 42,
  epochs: 200,
  batchSize: 128,
  learningRate: 1e-3,
  warmupSteps: 100,
  plateauEpochs: 4,
  minLearningRate: 5e-5,
  patience: 12,
  loss: { kind: 'ce' },
  validUsers: 3000,
  checkpointMinutes: 5,
  contentFeatures: true,
  titleBuckets: 0,
  weightDecay: 0,
  clipNorm: 5,
  beta2: 0.98,
  epsilon: 1e-9,
  lossWeighting: 'batch',
  batches: 'bucketed',
  schedule: 'plateau',
  timedMinutes: 60,
  decayShare: 0.4,
  decayMinShare: 0.4,
  flatGain: 0.01,
};

/**
 * Defaults filled in from a config file's "train" section. Unknown keys and wrongly typed values
 * are errors (a misspelt option would otherwise be ignored silently for a run of hours).
 */
export function resolveTrainOptions(raw: unknown): TrainOptions {
  if (raw === undefined) return { ...DEFAULT_TRAIN };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`"train" must be an object of options, got ${JSON.stringify(raw)}`);
  }
  const known = Object.keys(DEFAULT_TRAIN);
  for (const [key, value] of Object.entries(raw)) {
    if (!known.includes(key)) {
      throw new Error(`unknown train option "${key}"; known options: ${known.join(', ')}`);
    }
    const expected = typeof DEFAULT_TRAIN[key as keyof TrainOptions];
    if (typeof value !== expected || (expected === 'number' && !Number.isFinite(value))) {
      throw new Error(`train option "${key}" must be a ${expected === 'object' ? 'loss object like {"kind":"ce"}' : expected}, got ${JSON.stringify(value)}`);
    }
  }
  const given = raw as Partial<TrainOptions>;
  const opts = { ...DEFAULT_TRAIN, ...given, decayMinShare: given.decayMinShare ?? given.decayShare ?? DEFAULT_TRAIN.decayMinShare };
  if (!(opts.beta2 > 0 && opts.beta2 < 1)) throw new Error(`train option "beta2" must be in (0, 1), got ${opts.beta2}`);
  if (opts.lossWeighting !== 'batch' && opts.lossWeighting !== 'token') throw new Error(`train option "lossWeighting" must be "batch" or "token", got ${JSON.stringify(opts.lossWeighting)}`);
  if (opts.batches !== 'bucketed' && opts.batches !== 'random') throw new Error(`train option "batches" must be "bucketed" or "random", got ${JSON.stringify(opts.batches)}`);
  if (opts.schedule !== 'plateau' && opts.schedule !== 'linear' && opts.schedule !== 'timed') throw new Error(`train option "schedule" must be "plateau", "linear" or "timed", got ${JSON.stringify(opts.schedule)}`);
  if (!(opts.timedMinutes >= 0)) throw new Error(`train option "timedMinutes" must be >= 0, got ${opts.timedMinutes}`);
  if (!(opts.decayShare >= 0 && opts.decayShare <= 1)) throw new Error(`train option "decayShare" must be in [0, 1], got ${opts.decayShare}`);
  if (!(opts.decayMinShare >= 0 && opts.decayMinShare <= opts.decayShare)) throw new Error(`train option "decayMinShare" must be in [0, decayShare = ${opts.decayShare}], got ${opts.decayMinShare}`);
  if (!(opts.flatGain >= 0)) throw new Error(`train option "flatGain" must be >= 0, got ${opts.flatGain}`);
  if (!Number.isInteger(opts.warmupSteps) || opts.warmupSteps < 0) throw new Error(`train option "warmupSteps" must be an integer >= 0, got ${opts.warmupSteps}`);
  if (!(opts.epsilon > 0)) throw new Error(`train option "epsilon" must be > 0, got ${opts.epsilon}`);
  for (const key of ['epochs', 'batchSize', 'patience', 'plateauEpochs', 'validUsers'] as const) {
    if (!Number.isInteger(opts[key]) || opts[key] <= 0) throw new Error(`train option "${key}" must be a positive integer, got ${opts[key]}`);
  }
  return opts;
}

/**
 * Settings that differ between a checkpoint's saved train options and this run's, as
 * "key: saved → now" (keys the checkpoint predates count as their defaults). Empty when none.
 */
export function trainChanges(saved: Partial<TrainOptions>, now: TrainOptions): string[] {
  const before: Record<string, unknown> = { ...DEFAULT_TRAIN, ...saved };
  // Key order inside a loss object does not matter.
  const canonical = (v: unknown) => JSON.stringify(v, v && typeof v === 'object' ? Object.keys(v).sort() : undefined);
  return (Object.keys(now) as (keyof TrainOptions)[])
    .filter((key) => canonical(before[key]) !== canonical(now[key]))
    .map((key) => `${key}: ${JSON.stringify(before[key])} → ${JSON.stringify(now[key])}`);
}

/**
 * Learning rate of step `globalStep` (1-based) of a run of `totalSteps`: the schedule's rate,
 * capped by the linear warm-up. `plateauRate` is the run's current rate under 'plateau'.
 */
export function scheduledLearningRate(opts: TrainOptions, plateauRate: number, globalStep: number, totalSteps: number, clockSeconds = 0, decayFromSeconds?: number): number {
  const warm = opts.warmupSteps > 0 ? (opts.learningRate * globalStep) / opts.warmupSteps : Infinity;
  if (opts.schedule === 'timed') return Math.min(timedRate(opts, clockSeconds, decayFromSeconds), warm);
  const rate = opts.schedule === 'linear' ? opts.learningRate * Math.max(0, 1 - (globalStep - 1) / Math.max(1, totalSteps)) : plateauRate;
  return Math.min(rate, warm);
}

/**
 * Rate of the 'timed' schedule after `clockSeconds` of training wall clock: constant until
 * `decayFromSeconds` (by default the last decayMinShare of the budget), then a straight line to 0
 * at timedMinutes; 0 from timedMinutes on.
 */
export function timedRate(opts: TrainOptions, clockSeconds: number, decayFromSeconds?: number): number {
  const end = opts.timedMinutes * 60;
  const decayFrom = decayFromSeconds ?? end * (1 - opts.decayMinShare);
  if (clockSeconds >= end) return 0;
  if (clockSeconds <= decayFrom) return opts.learningRate;
  return opts.learningRate * (end - clockSeconds) / Math.max(1e-9, end - decayFrom);
}

/**
 * Gradient scale of each batch under `weighting`, given every training sequence's number of
 * targets: 1 for 'batch'; for 'token', the batch's targets over (rows x mean targets), so each
 * target token carries the same weight whichever batch it lands in.
 */
export function batchGradScale(weighting: TrainOptions['lossWeighting'], targetsPerSequence: readonly number[]): (batch: readonly number[]) => number {
  if (weighting === 'batch' || targetsPerSequence.length === 0) return () => 1;
  const meanTargets = targetsPerSequence.reduce((a, b) => a + b, 0) / targetsPerSequence.length;
  return (batch) => (batch.length === 0 || meanTargets === 0 ? 1 : batch.reduce((a, i) => a + targetsPerSequence[i], 0) / (batch.length * meanTargets));
}

/** Model keys a pretraining config may set (numItems and numFeatures come from the data). */
export const MODEL_KEYS = ['maxLen', 'dim', 'blocks', 'heads', 'ffnDim', 'dropout', 'idDropout', 'initStd', 'positions', 'block', 'attentionInit'];

/**
 * Checks a config file's "model" block before a long run: unknown keys are errors (the model's own
 * resolveConfig checks the values). Returns the block unchanged.
 */
export function checkModelBlock(raw: unknown): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`"model" must be an object of settings, got ${JSON.stringify(raw)}`);
  }
  for (const key of Object.keys(raw)) {
    if (key === 'numItems' || key === 'numFeatures') throw new Error(`model setting "${key}" is set from the data; remove it from the config`);
    if (!MODEL_KEYS.includes(key)) throw new Error(`unknown model setting "${key}"; known settings: ${MODEL_KEYS.join(', ')}`);
  }
  return raw as Record<string, unknown>;
}

/**
 * Where the 'timed' decay starts, decided at the end of an epoch from the validation history
 * (best-so-far NDCG@10 per epoch, oldest first): undefined while gains are still large, else the
 * current clock kept inside [end - decayShare, end - decayMinShare] of the budget.
 */
export function flatDecayStart(opts: TrainOptions, validNdcg: readonly number[], clockSeconds: number): number | undefined {
  if (opts.schedule !== 'timed' || validNdcg.length < 4) return undefined;
  const bestUpTo = (n: number) => Math.max(...validNdcg.slice(0, n));
  const now = bestUpTo(validNdcg.length);
  const before = bestUpTo(validNdcg.length - 3);
  const gainPerEpoch = before > 0 ? Math.pow(now / before, 1 / 3) - 1 : Infinity;
  if (gainPerEpoch >= opts.flatGain) return undefined;
  const end = opts.timedMinutes * 60;
  return Math.min(end * (1 - opts.decayMinShare), Math.max(end * (1 - opts.decayShare), clockSeconds));
}
