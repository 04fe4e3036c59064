import { LocalRecError } from '../errors';
import type { CatalogEntry, Recommendation, RecommendOptions } from '../recommender/types';
import { diversify, DISCOVER_WEIGHTS, type DiscoverWeights } from './diversify';
import { interleaveNewItems, NEW_ITEM_SLOTS, type NewItemSlots } from './newItemSlots';
import { popularityPrior } from './shortHistoryPrior';

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
  /**
   * Items without training signal (popularity 0) in a catalog where others have some: they are
   * ranked among themselves into the feed's new-item slots. Empty when no item has popularity
   * (a catalog without that field has nothing to tell new from trained).
   */
  readonly newItemIds: ReadonlySet<number>;
  constructor(items: readonly CatalogEntry[]) {
    this.items = items;
    this.byId = new Map(items.map((it) => [it.id, it]));
    this.maxPopularity = items.reduce((m, it) => Math.max(m, it.popularity), 0);
    this.newItemIds = new Set(this.maxPopularity > 0 ? items.filter((it) => it.popularity <= 0).map((it) => it.id) : []);
  }
  traits = (itemId: number) => this.byId.get(itemId) ?? { genres: [], popularity: 0 };
  /** The best catalog ids of the last scores seen (the engine re-ranks one cached array many times). */
  private ranked: { scores: ArrayLike<number>; ids: Int32Array; complete: boolean } | null = null;
  /** Catalog ids in id order, per score-array length. */
  private scored: { length: number; ids: Int32Array } | null = null;
  /**
   * Catalog ids with a score (0 < id < scores.length), best score first (ties: lower id first):
   * all of them, or with `atLeast` only the best `atLeast` (a selection, then a sort of those: a
   * 100,000-item catalog is not sorted whole on every re-rank). Remembered for the last `scores`
   * array: re-ranks of the same scores (discover control, paging, the seen toggle) skip the work
   * when the remembered prefix is long enough. Do not modify `scores` after passing it.
   */
  rankedIds(scores: ArrayLike<number>, atLeast = Infinity): Int32Array {
    const r = this.ranked;
    if (r?.scores === scores && (r.complete || r.ids.length >= atLeast)) return r.ids;
    if (this.scored?.length !== scores.length) {
      this.scored = { length: scores.length, ids: Int32Array.from(this.items.filter((it) => it.id > 0 && it.id < scores.length).map((it) => it.id)).sort() };
    }
    const all = this.scored.ids;
    const byScore = (a: number, b: number) => scores[b] - scores[a] || a - b;
    let ids: Int32Array;
    // The whole sort when most of it is wanted anyway; a selection by threshold otherwise.
    if (atLeast * 4 >= all.length) {
      ids = Int32Array.from(all).sort(byScore);
    } else {
      ids = bestIds(scores, all, atLeast).sort(byScore); // O(n): a 100,000-item sort took 20-30 ms
    }
    this.ranked = { scores, ids, complete: ids.length === all.length };
    return ids;
  }
  private prior: Float32Array | null = null;
  /**
   * `popularityPrior` of the catalog's popularity (index = item id, up to numItems), for the
   * short-history prior; null when the catalog has no popularity.
   */
  popularityPrior(numItems: number): Float32Array | null {
    if (this.maxPopularity <= 0) return null;
    if (!this.prior || this.prior.length !== numItems + 1) {
      const pop = new Float32Array(numItems + 1);
      for (const it of this.items) if (it.id <= numItems) pop[it.id] = it.popularity;
      this.prior = popularityPrior(pop);
    }
    return this.prior;
  }
}

/**
 * The `k` best of `ids` (in id order) by score, unordered: the ids above the k-th largest score,
 * then enough tied ones (lowest ids first). On large catalogs the k-th largest is searched among
 * `candidatesFor` only, with the same result.
 */
function bestIds(scores: ArrayLike<number>, ids: Int32Array, k: number): Int32Array {
  const pool = candidatesFor(scores, ids, k) ?? ids;
  const values = new Float64Array(pool.length);
  for (let i = 0; i < pool.length; i++) values[i] = scores[pool[i]];
  const threshold = kthLargest(values, k);
  const picked = new Int32Array(k);
  let n = 0;
  for (let i = 0; i < pool.length; i++) if (scores[pool[i]] > threshold) picked[n++] = pool[i];
  for (let i = 0; i < pool.length && n < k; i++) if (scores[pool[i]] === threshold) picked[n++] = pool[i];
  return picked.subarray(0, n);
}

/** Sample stride of `candidatesFor`. */
const SAMPLE_STRIDE = 16;

/**
 * The ids (in id order) whose score is at least a bound read off every SAMPLE_STRIDE-th score
 * (about 1.5 k of them are expected), when at least `k` pass: then the k best ids and every id
 * tied with the k-th are among them (the k-th largest score is >= the bound), so the selection
 * over them equals the selection over all ids. Null (use all ids) when the catalog is small,
 * k is large, or the bound lets fewer than k or more than 4 k + 1,024 through (ties, NaN).
 * At 100,000 items: one pass over the scores and a selection among a few thousand instead of a
 * copy and a quickselect over all of them (2.5-3.5 ms down to about 1 ms in Node).
 */
function candidatesFor(scores: ArrayLike<number>, ids: Int32Array, k: number): Int32Array | null {
  if (ids.length < 64 * SAMPLE_STRIDE || k * 8 > ids.length) return null;
  const m = Math.floor(ids.length / SAMPLE_STRIDE);
  const sample = new Float64Array(m);
  for (let i = 0; i < m; i++) sample[i] = scores[ids[i * SAMPLE_STRIDE]];
  const bound = kthLargest(sample, Math.min(m, Math.ceil((1.5 * k) / SAMPLE_STRIDE) + 8));
  const out = new Int32Array(4 * k + 1024);
  let n = 0;
  for (let i = 0; i < ids.length; i++) {
    if (scores[ids[i]] >= bound) {
      if (n === out.length) return null;
      out[n++] = ids[i];
    }
  }
  return n >= k ? out.subarray(0, n) : null;
}

function page(ordered: { itemId: number; relevance: number }[], q: FeedQuery, source: Recommendation['source']): Recommendation[] {
  return ordered.slice(q.offset, q.offset + q.count).map((c) => ({ itemId: c.itemId, score: c.relevance, source }));
}

/**
 * Feed from the model's scores (index = item id, as `scoreCatalog` returns): drop excluded items,
 * keep the best pool, re-rank it for the discover setting, then put the catalog's new items
 * (`catalog.newItemIds`, best score first, `source: 'new'`) into the `slots` positions
 * (`interleaveNewItems`), cut the page. Without new items (or with `slots` null, where new items
 * compete in the one ranking) the feed is the re-ranked pool alone.
 */
export function rankFromScores(
  scores: ArrayLike<number>,
  catalog: CatalogIndex,
  q: FeedQuery,
  slots: Readonly<NewItemSlots> | null = NEW_ITEM_SLOTS,
): Recommendation[] {
  const separate = slots !== null && slots.positions.length > 0 && catalog.newItemIds.size > 0;
  const pool = feedPool(scores, catalog, q, separate);
  const ordered = diversify(pool, catalog.traits, q.discover, q.offset + q.count, catalog.maxPopularity, DISCOVER_WEIGHTS, q.seed ?? 0);
  if (!separate) return page(ordered, q, 'model');
  const fresh = bestNewItems(scores, catalog, q);
  type Card = { itemId: number; relevance: number; source: Recommendation['source'] };
  const merged = interleaveNewItems<Card>(
    ordered.map((c) => ({ ...c, source: 'model' })),
    fresh.map((c) => ({ ...c, source: 'new' })),
    slots,
    q.exclude,
  );
  return merged.slice(q.offset, q.offset + q.count).map((c) => ({ itemId: c.itemId, score: c.relevance, source: c.source }));
}

/**
 * The best `offset + count` of the catalog's new items that have a score and are not excluded,
 * best score first (ties: lower id first): as sorting all of them and cutting, without the sort
 * (a 100,000-item catalog with 2% new items: 2,000 objects sorted per re-rank, about 1 ms in Node).
 */
function bestNewItems(scores: ArrayLike<number>, catalog: CatalogIndex, q: FeedQuery): { itemId: number; relevance: number }[] {
  const limit = q.offset + q.count;
  const best: { itemId: number; relevance: number }[] = []; // sorted, at most `limit`
  const before = (r: number, id: number, c: { itemId: number; relevance: number }) => r > c.relevance || (r === c.relevance && id < c.itemId);
  for (const id of catalog.newItemIds) {
    if (!(id > 0 && id < scores.length) || q.exclude.has(id)) continue;
    const r = scores[id];
    if (best.length === limit && !before(r, id, best[limit - 1])) continue;
    if (best.length === limit) best.pop();
    let j = best.length;
    while (j > 0 && before(r, id, best[j - 1])) j--;
    best.splice(j, 0, { itemId: id, relevance: r });
  }
  return best;
}

/**
 * The candidates `rankFromScores` re-ranks: non-excluded catalog items with a score, best
 * first, cut to the pool size (shared with eval:discovery so it measures exactly the feed's path).
 * `skipNew`: leave out `catalog.newItemIds` (they go to the new-item slots instead).
 */
export function feedPool(
  scores: ArrayLike<number>,
  catalog: CatalogIndex,
  q: Pick<FeedQuery, 'offset' | 'count' | 'exclude'>,
  skipNew = true,
): { itemId: number; relevance: number }[] {
  const size = poolSize(q.offset, q.count);
  const out: { itemId: number; relevance: number }[] = [];
  // Enough of the best ids that `size` remain after every excluded and new item is skipped.
  const enough = size + q.exclude.size + (skipNew ? catalog.newItemIds.size : 0);
  for (const id of catalog.rankedIds(scores, enough)) {
    if (q.exclude.has(id) || (skipNew && catalog.newItemIds.has(id))) continue;
    out.push({ itemId: id, relevance: scores[id] });
    if (out.length === size) break;
  }
  return out;
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

/**
 * The k-th largest value of `values` (1-based k; NaN counts as the smallest value, so it is
 * never above a threshold). Quickselect with a median-of-three pivot, in place (reorders
 * `values`), expected O(n).
 */
export function kthLargest(values: Float64Array, k: number): number {
  if (!(k >= 1 && k <= values.length)) throw new RangeError(`kthLargest: k must be 1..${values.length} (got ${k})`);
  // NaN first: below every number.
  let start = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) { values[i] = values[start]; values[start++] = Number.NaN; }
  }
  const target = values.length - k; // index in ascending order
  if (target < start) return Number.NaN;
  let lo = start;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot.
    const a = values[lo], b = values[mid], c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i]; values[i] = values[j]; values[j] = t;
        i++; j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target];
  }
  return values[target];
}

