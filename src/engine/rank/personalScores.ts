import type { SasRec } from '../model/sasrec';
import type { SignalView } from '../signals';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { penalizeNearDisliked } from './dislikePenalty';
import type { ItemTables } from './itemTables';
import type { NearDislikedCache } from './nearDisliked';
import { addYearBias, fitYearBias, type ItemYears, type YearBiasFit } from './personYearBias';
import { scoreCatalog, scorePositions } from './scoreCatalog';
import { blendShortHistory } from './shortHistoryPrior';

/** The policy settings the feed's scoring reads. */
export type ScorePolicy = Pick<FinetunePolicy, 'dislikePenalty' | 'shortHistoryPrior' | 'shortHistoryUntil' | 'yearBiasItems' | 'yearBiasL2' | 'yearBiasMinGap'>;

/** Scoring without the release-year bias (the pretrained model's feed in `eval:ondevice`). */
export function withoutYearBias<P extends ScorePolicy>(policy: P): P {
  return { ...policy, yearBiasItems: 0 };
}

/**
 * How many of the newest prefixes' scores the feed's scoring needs for `sequence`: the
 * release-year bias's fitting items plus the feed's own row, or 1 (just the feed) when the bias
 * is off or the catalog has no years.
 */
export function scoreRows(policy: ScorePolicy, years: ItemYears | null, sequence: readonly number[]): number {
  return years && policy.yearBiasItems > 0 && sequence.length > 2 ? policy.yearBiasItems + 1 : 1;
}

/**
 * The scores the feed ranks by: the model's scores after the person's context, plus the
 * short-history popularity prior (`prior` = `popularityPrior` of the catalog's popularity; fades
 * out at `shortHistoryUntil` items), then the rank-time dislike penalty (`dislikePenalty`, items
 * close to disliked ones move down), then the person's release-year bias (`years`: the catalog's
 * release years; `yearBiasItems`, rank/personYearBias.ts; `onYearBias` hears its fit). The app
 * and `eval:ondevice` both rank through this function.
 * `tables`: the cached item table of the current weights (the engine keeps one per weights version).
 * `near`: the dislike penalty's similarity cache (as `adjustScores`).
 */
export async function personalScores(
  model: SasRec,
  view: SignalView,
  policy: ScorePolicy,
  prior: Float32Array | null = null,
  tables: ItemTables | null = null,
  near: NearDislikedCache | null = null,
  years: ItemYears | null = null,
  onYearBias?: (fit: YearBiasFit) => void,
): Promise<Float32Array> {
  const rows = scoreRows(policy, years, view.sequence);
  if (rows === 1) return adjustScores(model, await scoreCatalog(model, view.sequence, tables), view, policy, prior, tables, near);
  const all = await scorePositions(model, view.sequence, rows, tables);
  return adjustScores(model, all[all.length - 1], view, policy, prior, tables, near, years && { years, prefixScores: all.slice(0, -1) }, onYearBias);
}

/** What the release-year bias is fitted from: the catalog's years and the newest prefixes' model scores (`scorePositions`). */
export interface YearBiasInput {
  years: ItemYears;
  prefixScores: readonly Float32Array[];
}

/**
 * The part of `personalScores` after the model: `scores` = the model's scores after
 * `view.sequence` (as `scoreCatalog` returns them, from the tfjs forward pass or the incremental
 * encoder), blended with the short-history prior, then the dislike penalty, then the release-year
 * bias when `yearBias` is given (`onYearBias` hears the fit). May reuse (and change) `scores`.
 * `near`: the dislike penalty's similarity cache (`PersonScores` keeps one; same output as without).
 */
export async function adjustScores(
  model: SasRec,
  scores: Float32Array,
  view: SignalView,
  policy: ScorePolicy,
  prior: Float32Array | null = null,
  tables: ItemTables | null = null,
  near: NearDislikedCache | null = null,
  yearBias: YearBiasInput | null = null,
  onYearBias?: (fit: YearBiasFit) => void,
): Promise<Float32Array> {
  if (prior && policy.shortHistoryPrior > 0) {
    scores = blendShortHistory(scores, view.sequence.length, prior, { weight: policy.shortHistoryPrior, until: policy.shortHistoryUntil });
  }
  if (policy.dislikePenalty > 0 && view.disliked.length > 0) {
    scores = await penalizeNearDisliked(model, scores, view.disliked, policy.dislikePenalty, tables, near);
  }
  if (yearBias && policy.yearBiasItems > 0) {
    const fit = fitYearBias(yearBias.prefixScores, view.sequence, yearBias.years, { items: policy.yearBiasItems, l2: policy.yearBiasL2, minGapYears: policy.yearBiasMinGap });
    onYearBias?.(fit);
    if (fit.bias) scores = addYearBias(scores, fit, yearBias.years);
  }
  return scores;
}
