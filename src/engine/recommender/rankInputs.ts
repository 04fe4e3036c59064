import { checkRecommendOptions, popularFeed, rankFromScores, type CatalogIndex } from '../rank/rankFeed';
import type { NewItemSlots } from '../rank/newItemSlots';
import type { Recommendation, Recommender, RecommendOptions } from './types';

/**
 * Everything a feed page is ranked from, for the current history and weights: the person's
 * scores (null: no history yet or the model is not ready, so the popular-and-varied list), the
 * items to leave out unless `includeSeen`, the stored discover setting and the new-item slots.
 * Plain data: the worker sends it once per change and the page ranks every re-rank that changes
 * no history (discover control, paging, the seen toggle) itself, without a worker round trip.
 */
export interface RankInputs {
  /** Index = item id. Do not modify (the engine shares it between calls). */
  scores: Float32Array | null;
  seen: number[];
  discover: number;
  newItemSlots: NewItemSlots | null;
}

/** The engine as the worker serves it: the `Recommender` plus what the page-side proxy needs. */
export interface ServedRecommender extends Recommender {
  rankInputs(): Promise<RankInputs>;
  /**
   * Calls `listener` with the feed's inputs each time the engine publishes new weights (the
   * `updated` event of snapshot `version`, what 'checkpoint'), computed at once, so the page can
   * re-rank without asking: a training run goes on right after, and a question asked meanwhile
   * would wait for the next step (hundreds of ms). Not called when something newer was published
   * before the inputs were ready. Returns a function that removes the listener.
   */
  onRankInputs(listener: (inputs: RankInputs, version: number) => void): () => void;
}

/**
 * A feed page from `inputs` (the one ranking path: the engine's `recommend` and the page-side
 * proxy both call it, so both give the same feed). `exclude`: a prepared set of `inputs.seen`.
 */
export function rankWithInputs(inputs: RankInputs, catalog: CatalogIndex, opts: RecommendOptions, exclude?: ReadonlySet<number>): Recommendation[] {
  const { count, offset, discover } = checkRecommendOptions(opts);
  const q = { count, offset, discover: discover ?? inputs.discover, exclude: opts.includeSeen ? new Set<number>() : (exclude ?? new Set(inputs.seen)) };
  if (!inputs.scores) return popularFeed(catalog, q);
  return rankFromScores(inputs.scores, catalog, q, inputs.newItemSlots);
}
