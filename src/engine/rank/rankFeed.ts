import { LocalRecError } from '../errors';
import type { CatalogEntry, Recommendation, RecommendOptions } from '../recommender/types';
import { diversify, DISCOVER_WEIGHTS, type DiscoverWeights } from './diversify';

export interface FeedQuery {
  count: number;
  offset: number;
  discover: number;
  /** Items never shown (seen and disliked unless the person asked to include them). */
  exclude: ReadonlySet<number>;
  /** Seed of the discover control's exploration jitter (e.g. one per session; default 0). */
  seed?: number;
}

/** Validates feed options (shared by the engine and the page-side cold start). */
export function checkRecommendOptions(opts: RecommendOptions): { count: number; offset: number; discover: number | undefined } {
  const count = opts?.count;
  const offset = opts?.offset ?? 0;
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new LocalRecError('INVALID_INPUT', `recommend: count must be an integer 1..1000 (got ${String(count)}).`);
  if (!Number.isInteger(offset) || offset < 0) throw new LocalRecError('INVALID_INPUT', `recommend: offset must be an integer >= 0 (got ${String(offset)}).`);
  if (opts.discover !== undefined && !(opts.discover >= 0 && opts.discover <= 1)) throw new LocalRecError('INVALID_INPUT', `recommend: discover must be in [0, 1] (got ${String(opts.discover)}).`);
  return { count, offset, discover: opts.discover };
}

/** Candidates re-ranked for variety: enough for stable pages in the usual feed depth. */
function poolSize(offset: number, count: number): number {
  return Math.max(300, 2 * (offset + count));
}

/** Catalog lookups the rankers share (built once per catalog). */
export class CatalogIndex {
  readonly items: readonly CatalogEntry[];
  readonly byId: ReadonlyMap<number, CatalogEntry>;
  readonly maxPopularity: number;
  constructor(items: readonly CatalogEntry[]) {
    this.items = items;
    this.byId = new Map(items.map((it) => [it.id, it]));
    this.maxPopularity = items.reduce((m, it) => Math.max(m, it.popularity), 0);
  }
  traits = (itemId: number) => this.byId.get(itemId) ?? { genres: [], popularity: 0 };
}

function page(ordered: { itemId: number; relevance: number }[], q: FeedQuery, source: Recommendation['source']): Recommendation[] {
  return ordered.slice(q.offset, q.offset + q.count).map((c) => ({ itemId: c.itemId, score: c.relevance, source }));
}

/**
 * Feed from the model's scores (index = item id, as `scoreCatalog` returns): drop excluded items,
 * keep the best pool, re-rank it for the discover setting, cut the page.
 */
export function rankFromScores(scores: ArrayLike<number>, catalog: CatalogIndex, q: FeedQuery): Recommendation[] {
  return page(diversify(feedPool(scores, catalog, q), catalog.traits, q.discover, q.offset + q.count, catalog.maxPopularity, DISCOVER_WEIGHTS, q.seed ?? 0), q, 'model');
}

/**
 * The candidates `rankFromScores` re-ranks: non-excluded catalog items with a score, best
 * first, cut to the pool size (shared with eval:discovery so it measures exactly the feed's path).
 */
export function feedPool(scores: ArrayLike<number>, catalog: CatalogIndex, q: Pick<FeedQuery, 'offset' | 'count' | 'exclude'>): { itemId: number; relevance: number }[] {
  const candidates: { itemId: number; relevance: number }[] = [];
  for (const it of catalog.items) {
    if (it.id <= 0 || it.id >= scores.length || q.exclude.has(it.id)) continue;
    candidates.push({ itemId: it.id, relevance: scores[it.id] });
  }
  candidates.sort((a, b) => b.relevance - a.relevance || a.itemId - b.itemId);
  return candidates.slice(0, poolSize(q.offset, q.count));
}

/**
 * Cold-start re-ranking: popularity is the relevance and a genre not yet shown earns twice the
 * whole (scaled) popularity range, so the first screen cycles through genres, popular first.
 */
const COLD_START_WEIGHTS: DiscoverWeights = { relevanceKeep: 0.4, diversity: 0.8, novelty: 0 };

/**
 * The popular-and-varied list shown before the model is ready or when there is no history yet:
 * relevance = log popularity, re-ranked by MMR on genres so the first screen spans genres.
 */
export function popularFeed(catalog: CatalogIndex, q: FeedQuery): Recommendation[] {
  const candidates = catalog.items
    .filter((it) => !q.exclude.has(it.id))
    .map((it) => ({ itemId: it.id, relevance: Math.log1p(it.popularity) }))
    .sort((a, b) => b.relevance - a.relevance || a.itemId - b.itemId)
    .slice(0, poolSize(q.offset, q.count));
  const weights = { ...COLD_START_WEIGHTS, novelty: 0.3 * Math.min(1, Math.max(0, q.discover)) };
  return page(diversify(candidates, catalog.traits, 1, q.offset + q.count, catalog.maxPopularity, weights), q, 'popular');
}
