/**
 * Pretraining presets: one pure function from what the data looks like to the settings of a run,
 * each with the reason it was chosen (printed by `npm run pretrain`). See docs/PRETRAINING.md,
 * "Presets".
 */
import type { SasRecConfig } from '../../src/engine/model/config';
import type { CatalogItem } from '../../src/engine/data/catalog';
import type { SequenceDataset } from '../../src/engine/data/types';
import { DEFAULT_TRAIN, type TrainOptions } from './trainOptions';

export type PresetName = 'auto' | 'fast' | 'quality';
export const PRESET_NAMES: readonly PresetName[] = ['auto', 'fast', 'quality'];

/** What a preset looks at. */
export interface DataStats {
  users: number;
  items: number;
  interactions: number;
  /** History length percentiles (interactions per user). */
  meanLength: number;
  p50Length: number;
  p90Length: number;
  maxLength: number;
  /** interactions / (users x items). */
  density: number;
  /** Catalog items with at least one tag (genre), title or year. */
  itemsWithTags: number;
  itemsWithTitles: number;
}

/** Catalog items fed into the vocabulary. */
export function dataStats(dataset: SequenceDataset, catalog: readonly CatalogItem[] | null): DataStats {
  const lengths = dataset.sequences.map((s) => s.length).sort((a, b) => a - b);
  const users = lengths.length;
  const interactions = lengths.reduce((a, b) => a + b, 0);
  const pct = (q: number) => (users ? lengths[Math.min(users - 1, Math.floor(q * users))] : 0);
  // A title counts when it is more than the id itself (an ids-only catalog gets its id as title).
  const titled = (c: CatalogItem) => c.title.trim() !== '' && c.title !== c.externalId;
  return {
    users, items: dataset.numItems, interactions,
    meanLength: users ? interactions / users : 0,
    p50Length: pct(0.5), p90Length: pct(0.9), maxLength: users ? lengths[users - 1] : 0,
    density: users && dataset.numItems ? interactions / (users * dataset.numItems) : 0,
    itemsWithTags: catalog ? catalog.filter((c) => c.genres.length > 0).length : 0,
    itemsWithTitles: catalog ? catalog.filter(titled).length : 0,
  };
}

/** A run's settings, as a config file would give them, plus the reasons and the time plan. */
export interface PresetChoice {
  preset: PresetName;
  model: Partial<SasRecConfig>;
  train: TrainOptions;
  /** Training time the schedule is planned for (minutes). */
  minutes: number;
  reasons: string[];
}

/**
 * Catalog size from which sampled softmax (logQ-corrected, shared negatives) replaces the full
 * softmax: measured by `npm run bench:train` (bench/results/train-loss-*.md). Below it the full
 * softmax costs little next to the encoder and gives the better model (docs/PRETRAINING.md).
 */
export const SAMPLED_SOFTMAX_FROM_ITEMS = 20_000;
/** Shared negatives per batch for sampled softmax. */
export const SAMPLED_NEGATIVES = 2048;
/** Training minutes when no --max-minutes is given. */
export const DEFAULT_MINUTES: Record<PresetName, number> = { auto: 60, fast: 10, quality: 180 };

const roundUp = (x: number, step: number) => Math.ceil(x / step) * step;

/**
 * The settings of `preset` for data like `s`, trained for `maxMinutes` (wall clock, validation
 * included; the preset's default when undefined or Infinity). Pure: same input, same output.
 */
export function choosePreset(s: DataStats, preset: PresetName = 'auto', maxMinutes?: number): PresetChoice {
  const reasons: string[] = [];
  const minutes = maxMinutes !== undefined && Number.isFinite(maxMinutes) ? Math.max(0, maxMinutes) : DEFAULT_MINUTES[preset];
  reasons.push(`${preset} preset on ${s.users} users, ${s.items} items, ${s.interactions} interactions (history length mean ${s.meanLength.toFixed(1)}, median ${s.p50Length}, 90th percentile ${s.p90Length}, max ${s.maxLength}; density ${(100 * s.density).toFixed(2)}%)`);

  // Window: long enough for 9 people in 10 to fit whole (plus the item predicted), at most 200.
  const cap = preset === 'fast' ? 50 : 200;
  const maxLen = Math.max(4, Math.min(cap, roundUp(s.p90Length + 1, 10)));
  reasons.push(`maxLen ${maxLen}: the 90th-percentile history (${s.p90Length}) fits whole${s.p90Length + 1 > cap ? `, capped at ${cap} (attention cost grows with the square of the window)` : ''}`);

  // Width: 64 for small catalogs (ML-100K's best config), 128 from a few thousand items (ML-1M's shipped model).
  const dim = preset === 'fast' ? 64 : preset === 'quality' ? 128 : s.items >= 2500 ? 128 : 64;
  reasons.push(`dim ${dim}: ${preset === 'auto' ? `${s.items} items ${s.items >= 2500 ? '>= 2,500 (128 measured best on ML-1M, 3,416 items)' : '< 2,500 (64 measured best on ML-100K; a wider model over-fits few items)'}` : `the ${preset} preset's width`}`);

  // Dropout by how much data each parameter sees: sparse short histories need more (SASRec used 0.5 on Amazon data).
  const dropout = s.meanLength < 20 ? 0.5 : s.users < 2000 || s.density < 0.01 ? 0.2 : 0.1;
  reasons.push(`dropout ${dropout}: ${dropout === 0.5 ? `short histories (mean ${s.meanLength.toFixed(1)} < 20) give few targets per item` : dropout === 0.2 ? `few people (${s.users} < 2,000) or a sparse matrix (density < 1%)` : 'dense, long histories (the shipped ML-1M model)'}`);

  const sampled = s.items >= SAMPLED_SOFTMAX_FROM_ITEMS;
  const numNegatives = Math.min(SAMPLED_NEGATIVES, Math.max(1, s.items - 1));
  const loss: TrainOptions['loss'] = sampled ? { kind: 'sampled', numNegatives } : { kind: 'ce' };
  reasons.push(sampled
    ? `loss: sampled softmax, ${numNegatives} shared negatives with logQ correction (${s.items} items >= ${SAMPLED_SOFTMAX_FROM_ITEMS}: the full softmax dominates the step there, bench:train)`
    : `loss: full softmax over all ${s.items} items (< ${SAMPLED_SOFTMAX_FROM_ITEMS}: it costs little next to the encoder and measured best)`);

  const tags = s.itemsWithTags > 0;
  const titles = s.itemsWithTitles > 0;
  const contentFeatures = tags || titles;
  const titleBuckets = titles ? 512 : 0;
  reasons.push(contentFeatures
    ? `content features: ${tags ? `tags of ${s.itemsWithTags} items` : 'no tags'}${titles ? ` + title words hashed into ${titleBuckets} buckets` : ''} (new items get a vector from day one)`
    : 'content features: none (the catalog has no tags or titles); item ids only');

  const decayShare = 0.4;
  const decayMinShare = 0.1;
  const flatGain = 0.01;
  reasons.push(`schedule: constant rate 1e-3, then linear decay to 0 ending at ${minutes.toFixed(1)} min of wall clock (so it ends on time on this machine). ` +
    `The decay starts once the best validation NDCG@10 gains less than ${100 * flatGain}% per epoch over 3 epochs, between ${(minutes * (1 - decayShare)).toFixed(1)} and ${(minutes * (1 - decayMinShare)).toFixed(1)} min: ` +
    `the shipped model flattened after ~25 epochs and gained from its 40% decay, while a budget of ~10 ML-1M epochs is still gaining 2-3% per epoch and lost 6.5% to an early decay (docs/PRETRAINING.md). The best epoch by validation NDCG@10 is kept`);
  if (minutes < 1) reasons.push(`warning: ${minutes} min is too short to learn much; the result is a smoke test`);

  const validUsers = Math.max(1, Math.min(6040, s.users));
  const model: Partial<SasRecConfig> = {
    maxLen, dim, blocks: 2, heads: 1, ffnDim: dim, dropout, idDropout: 0, initStd: 0.02,
    positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier',
  };
  reasons.push("kept from MovieLens: positions counted from the oldest item, the reference 'sasrec' block with xavier attention init, random batches, Adam(0.9, 0.999, 1e-8) without clipping");
  const train: TrainOptions = {
    ...DEFAULT_TRAIN,
    epochs: 100_000, batchSize: 128, learningRate: 1e-3, warmupSteps: 100, patience: 100_000, plateauEpochs: 100_000,
    loss, validUsers, contentFeatures, titleBuckets, beta2: 0.999, epsilon: 1e-8, clipNorm: 0,
    lossWeighting: 'batch', batches: 'random', schedule: 'timed', timedMinutes: minutes, decayShare, decayMinShare, flatGain,
  };
  return { preset, model, train, minutes, reasons };
}
