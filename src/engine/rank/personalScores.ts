import type { SasRec } from '../model/sasrec';
import type { SignalView } from '../signals';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { penalizeNearDisliked } from './dislikePenalty';
import type { ItemTables } from './itemTables';
import type { NearDislikedCache } from './nearDisliked';
import { scoreCatalog } from './scoreCatalog';
import { blendShortHistory } from './shortHistoryPrior';

/**
 * The scores the feed ranks by: the model's scores after the person's context, plus the
 * short-history popularity prior (`prior` = `popularityPrior` of the catalog's popularity; fades
 * out at `shortHistoryUntil` items), then the rank-time dislike penalty (`dislikePenalty`, items
 * close to disliked ones move down). The app and `eval:ondevice` both rank through this function.
 * `tables`: the cached item table of the current weights (the engine keeps one per weights version).
 * `near`: the dislike penalty's similarity cache (as `adjustScores`).
 */
export async function personalScores(
  model: SasRec,
  view: SignalView,
  policy: Pick<FinetunePolicy, 'dislikePenalty' | 'shortHistoryPrior' | 'shortHistoryUntil'>,
  prior: Float32Array | null = null,
  tables: ItemTables | null = null,
  near: NearDislikedCache | null = null,
): Promise<Float32Array> {
  return adjustScores(model, await scoreCatalog(model, view.sequence, tables), view, policy, prior, tables, near);
}

/**
 * The part of `personalScores` after the model: `scores` = the model's scores after
 * `view.sequence` (as `scoreCatalog` returns them, from the tfjs forward pass or the incremental
 * encoder), blended with the short-history prior, then the dislike penalty. May reuse `scores`.
 * `near`: the dislike penalty's similarity cache (`PersonScores` keeps one; same output as without).
 */
export async function adjustScores(
  model: SasRec,
  scores: Float32Array,
  view: SignalView,
  policy: Pick<FinetunePolicy, 'dislikePenalty' | 'shortHistoryPrior' | 'shortHistoryUntil'>,
  prior: Float32Array | null = null,
  tables: ItemTables | null = null,
  near: NearDislikedCache | null = null,
): Promise<Float32Array> {
  if (prior && policy.shortHistoryPrior > 0) {
    scores = blendShortHistory(scores, view.sequence.length, prior, { weight: policy.shortHistoryPrior, until: policy.shortHistoryUntil });
  }
  if (policy.dislikePenalty <= 0 || view.disliked.length === 0) return scores;
  return penalizeNearDisliked(model, scores, view.disliked, policy.dislikePenalty, tables, near);
}
