import { LocalRecError } from '../errors';
import { ADAPTER_KINDS, type AdapterKind } from './adapters';

/** Which parameters fine-tuning may change. */
export type TrainableSet = 'last-block' | 'layer-norms' | 'all';

/**
 * How on-device fine-tuning behaves. One object shared by the app (worker) and the Node
 * evaluation CLI, so what is measured is what ships.
 */
export interface FinetunePolicy {
  /** Background fine-tuning starts after this many new events. */
  learnAfter: number;
  /** Fewest distinct positive items (likes, views, ...) needed; one of them is held out for validation. */
  minHistory: number;
  /** Optimisation steps per run (upper bound; early stopping may end sooner). */
  steps: number;
  learningRate: number;
  trainable: TrainableSet;
  /** Weight of the L2 penalty sum((w - w_pretrained)^2) over the trainable parameters. */
  l2ToPretrained: number;
  /** Cap on the relative distance ||w - w0|| / ||w0|| of the trainable parameters (0 = none). */
  maxDrift: number;
  /** Weight of the explicit-negative term for disliked items in fine-tuning (see `finetune`). */
  dislikeWeight: number;
  /**
   * Rank-time dislike penalty (`penalizeNearDisliked`): items whose vectors are close to a
   * disliked item move down by up to this many standard deviations of the scores (0 = off).
   */
  dislikePenalty: number;
  /**
   * Popularity prior for short histories (`blendShortHistory`): strength at an empty history in
   * standard deviations of the scores, fading to 0 at `shortHistoryUntil` items (0 = off).
   */
  shortHistoryPrior: number;
  shortHistoryUntil: number;
  /** Global gradient-norm clip (0 = none). */
  clipNorm: number;
  /** Validate on the held-out most recent interactions every this many steps (keep the best). */
  validateEvery: number;
  /**
   * An early look at the held-out items after this many steps, before the first regular
   * validation: weights that pass it are served at once (it sets how soon learning shows in the
   * feed; 1 = after one step), but keeping, stopping and rolling back follow the regular
   * validations only, so the run's result is the same with or without it. A rolled-back run puts
   * the stored weights back in the feed.
   */
  firstValidation: number;
  /** How many of the newest positive items are held out for validation (at most a third of the history). */
  validationItems: number;
  /**
   * Keep fine-tuned weights only while the held-out loss stays within this (nats) of the better of
   * the starting and the pretrained weights.
   */
  tolerance: number;
  /** Weight of replayed exemplar sequences (when the caller supplies any). */
  replayWeight: number;
  /** How many replay exemplars join each run (a different window of them each time). */
  replayRows: number;
  /**
   * Forgetting guard: at each validation, the mean KL divergence (nats per position) from the
   * pretrained to the current next-item distribution on up to `replayRows` replay exemplars that
   * are *not* trained on in this run; above this value training stops and keeps the last step
   * under it (0 = off; inactive without spare exemplars).
   */
  maxReplayKl: number;
  /** Only the newest this-many sequence items are trained on. */
  maxSequence: number;
  /**
   * A history longer than the model's window (maxLen) is trained in windows of maxLen items: the
   * newest every step and the older ones (up to `maxSequence` items back) in turn, this many
   * windows per step (1 = only the newest window, as before; the cost of a step grows with it).
   */
  maxWindows: number;
  /**
   * 'none': train the model's own weights (`trainable`); else a per-person adapter over the
   * pretrained weights (train/adapters.ts), stored instead of the weights (a few KB).
   */
  adapter: 'none' | AdapterKind;
  /** Rank of the LoRA matrices (adapter 'lora'). */
  adapterRank: number;
  /**
   * Softmax of the next-item terms: 'full' over the whole catalog, 'sampled' over
   * `sampledNegatives` items shared by every position (log-Q corrected, as the pretraining
   * `sampled` loss; the weight mechanism trains and stores the item-embedding rows by rows), or 'auto': sampled
   * above `SAMPLED_SOFTMAX_ABOVE` items (softmaxChoice.ts, measured).
   */
  softmax: 'auto' | 'full' | 'sampled';
  /** Negatives drawn uniformly per step for the sampled softmax. */
  sampledNegatives: number;
  /**
   * The per-person release-year bias at rank time (rank/personYearBias.ts): fitted to this many
   * of the person's newest items (0 = off; needs a catalog with years).
   */
  yearBiasItems: number;
  /** L2 penalty of the release-year bias. */
  yearBiasL2: number;
  /** The release-year bias is used only when the person's items are newer than the model expects by more than this (years). */
  yearBiasMinGap: number;
}

/** Learning rate of the model's own weights (adapter 'none') when the policy does not set one. */
export const WEIGHTS_LEARNING_RATE = 1e-3;
/** Learning rate of a per-person adapter when the policy does not set one (adapters start from zero). */
export const ADAPTER_LEARNING_RATE = 1e-2;

/**
 * The defaults used by the app and by `eval:ondevice`, chosen by measurement (docs/ON_DEVICE.md):
 * a per-person rank-4 LoRA adapter over the pretrained weights, learning rate 1e-2. Against
 * whole-model fine-tuning it measured more lift on `standard` (ML-100K and ML-1M held-out people,
 * the shipped recipe) and on the `shift` population, at least as much on `long` at the app's
 * window, fewer people hurt, no change to what other people are served, and a cheaper learning
 * increment in the browser; it is stored as a few KB instead of the weights. The rest was chosen for the weights mechanism on MovieLens-100K
 * held-out people ("Choosing the policy") and kept for the adapter: anchored to the pretrained
 * weights (L2 penalty and drift cap on the change); 8 distilled replay exemplars at weight 0.25;
 * the forgetting guard off; dislikes act at rank time (penalty 1 near disliked items) rather than
 * through the fine-tuning term, which cost future accuracy; the short-history popularity prior at
 * 0.5 (docs/COLD_START.md). `{ adapter: 'none' }` trains the model's own weights at 1e-3.
 * The feed adds the person's release-year bias (fitted to their newest 10 items at L2 0.1, used
 * when those items are more than a year newer than the model expects and it validates): chosen on
 * the `shift` protocol's first 250 people and 150 ML-1M held-out people, confirmed on others
 * (docs/ON_DEVICE.md, "The release-year bias in the feed"); `{ yearBiasItems: 0 }` turns it off.
 */
export const DEFAULT_FINETUNE_POLICY: Readonly<FinetunePolicy> = Object.freeze({
  learnAfter: 5,
  minHistory: 3,
  steps: 8,
  learningRate: ADAPTER_LEARNING_RATE,
  trainable: 'all',
  l2ToPretrained: 1,
  maxDrift: 0.05,
  dislikeWeight: 0,
  dislikePenalty: 1,
  shortHistoryPrior: 0.5,
  shortHistoryUntil: 10,
  clipNorm: 1,
  validateEvery: 2,
  firstValidation: 1,
  validationItems: 1,
  tolerance: 0.02,
  replayWeight: 0.25,
  replayRows: 8,
  maxReplayKl: 0,
  maxSequence: 200,
  maxWindows: 1,
  adapter: 'lora',
  adapterRank: 4,
  softmax: 'auto',
  sampledNegatives: 256,
  yearBiasItems: 10,
  yearBiasL2: 0.1,
  yearBiasMinGap: 1,
});

/** Merges overrides into the defaults, rejecting values that cannot work. */
export function resolvePolicy(overrides: Partial<FinetunePolicy> = {}): FinetunePolicy {
  const known = Object.keys(DEFAULT_FINETUNE_POLICY);
  for (const key of Object.keys(overrides)) {
    if (!known.includes(key)) {
      throw new LocalRecError('INVALID_INPUT', `Unknown fine-tuning policy setting "${key}". Known settings: ${known.join(', ')}.`);
    }
  }
  const p: FinetunePolicy = { ...DEFAULT_FINETUNE_POLICY, ...overrides };
  // The learning rate follows the mechanism unless it is set: adapters start from zero and learn
  // at a higher rate than the model's own weights.
  if (overrides.learningRate === undefined) p.learningRate = p.adapter === 'none' ? WEIGHTS_LEARNING_RATE : ADAPTER_LEARNING_RATE;
  const bad = (key: string, need: string): never => {
    throw new LocalRecError('INVALID_INPUT', `Fine-tuning policy "${key}" ${need} (got ${JSON.stringify((p as unknown as Record<string, unknown>)[key])}).`);
  };
  for (const k of ['learnAfter', 'minHistory', 'steps', 'validateEvery', 'firstValidation', 'validationItems', 'maxSequence', 'replayRows', 'maxWindows', 'adapterRank', 'sampledNegatives', 'yearBiasItems'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < (k === 'steps' || k === 'replayRows' || k === 'yearBiasItems' ? 0 : 1)) bad(k, 'must be a positive integer');
  }
  if (p.yearBiasItems === 1 || p.yearBiasItems > 100) bad('yearBiasItems', 'must be 0 (off) or 2..100 (one item validates the fit)');
  if (!Number.isFinite(p.yearBiasMinGap)) bad('yearBiasMinGap', 'must be a number of years');
  if (p.minHistory < 2) bad('minHistory', 'must be at least 2 (one item is held out)');
  for (const k of ['learningRate', 'l2ToPretrained', 'maxDrift', 'dislikeWeight', 'dislikePenalty', 'shortHistoryPrior', 'shortHistoryUntil', 'clipNorm', 'tolerance', 'replayWeight', 'maxReplayKl', 'yearBiasL2'] as const) {
    if (!(Number.isFinite(p[k]) && p[k] >= 0)) bad(k, 'must be a number >= 0');
  }
  if (!['last-block', 'layer-norms', 'all'].includes(p.trainable)) bad('trainable', 'must be "last-block", "layer-norms" or "all"');
  if (p.adapter !== 'none' && !ADAPTER_KINDS.includes(p.adapter)) bad('adapter', `must be "none", ${ADAPTER_KINDS.map((k) => `"${k}"`).join(', ')}`);
  if (!['auto', 'full', 'sampled'].includes(p.softmax)) bad('softmax', 'must be "auto", "full" or "sampled"');
  return p;
}

/** The on-device learning mechanisms `eval:ondevice --mechanism` compares. */
export type Mechanism = 'whole' | 'lastBlock' | AdapterKind;

export const MECHANISMS: readonly Mechanism[] = ['whole', 'lastBlock', ...ADAPTER_KINDS];

/**
 * The policy settings that select a mechanism: the model's weights (all, or the last block) or
 * a per-person adapter. Adapters start from zero, so they learn at a higher rate (1e-2) than the
 * weights (the default 1e-3); everything else stays as in the policy.
 */
export function mechanismPolicy(m: Mechanism): Partial<FinetunePolicy> {
  switch (m) {
    case 'whole': return { adapter: 'none', trainable: 'all', learningRate: WEIGHTS_LEARNING_RATE };
    case 'lastBlock': return { adapter: 'none', trainable: 'last-block', learningRate: WEIGHTS_LEARNING_RATE };
    case 'lora': case 'bias': case 'userEmbedding': return { adapter: m, learningRate: ADAPTER_LEARNING_RATE };
  }
}

/** The mechanism a policy uses (layer-norms only reads as "layerNorms"). */
export function mechanismOf(p: FinetunePolicy): Mechanism | 'layerNorms' {
  if (p.adapter !== 'none') return p.adapter;
  return p.trainable === 'all' ? 'whole' : p.trainable === 'last-block' ? 'lastBlock' : 'layerNorms';
}

/** Names of the parameters a policy lets fine-tuning change. */
export function trainableNames(all: Iterable<string>, set: TrainableSet, blocks: number): string[] {
  const names = [...all];
  switch (set) {
    case 'all':
      return names;
    case 'layer-norms':
      return names.filter((n) => /ln\d?_[gb]$/.test(n));
    case 'last-block':
      return names.filter((n) => n.startsWith(`block${blocks - 1}/`) || n.startsWith('final_ln_'));
  }
}
