import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../recommender/types';
import { diversify, DISCOVER_WEIGHTS, genreSimilarity, noveltyScore } from './diversify';
import { interleaveNewItems, NEW_ITEM_SLOTS } from './newItemSlots';
import { CatalogIndex, feedPool, kthLargest, popularFeed, rankFromScores, type FeedQuery } from './rankFeed';

const item = (id: number, genres: string[], popularity: number): CatalogEntry => ({ id, externalId: String(id), title: `T${id}`, year: 2000, genres, popularity });
const catalog = new CatalogIndex([
  item(1, ['A'], 100), item(2, ['A'], 90), item(3, ['A'], 80),
  item(4, ['B'], 50), item(5, ['B'], 40), item(6, ['C'], 10),
]);

describe('diversity helpers', () => {
  it('genre similarity is Jaccard', () => {
    expect(genreSimilarity(['A', 'B'], ['B', 'C'])).toBeCloseTo(1 / 3);
    expect(genreSimilarity(['A'], [])).toBe(0);
    expect(genreSimilarity(['A'], ['A'])).toBe(1);
  });

  it('novelty is 0 for the most popular, 1 for the unseen', () => {
    expect(noveltyScore(100, 100)).toBe(0);
    expect(noveltyScore(0, 100)).toBe(1);
    expect(noveltyScore(9, 99)).toBeCloseTo(1 - Math.log(10) / Math.log(100));
  });

  it('discover = 0 keeps pure relevance order', () => {
    const c = [1, 2, 3, 4, 5, 6].map((id) => ({ itemId: id, relevance: 10 - id }));
    expect(diversify(c, catalog.traits, 0, 4, 100).map((x) => x.itemId)).toEqual([1, 2, 3, 4]);
  });

  it('MMR picks by hand-computed value at discover = 1', () => {
    // rel normalised: item1 1, item2 0.5, item4 0 (lo 8, hi 10). Weights 0.4/0.4/0 novelty off.
    const c = [{ itemId: 1, relevance: 10 }, { itemId: 2, relevance: 9 }, { itemId: 4, relevance: 8 }];
    const w = { relevanceKeep: 0.4, diversity: 0.4, novelty: 0 };
    // Step 1: 1 -> 0.4+0.4=0.8, 2 -> 0.2+0.4=0.6, 4 -> 0+0.4=0.4: pick 1.
    // Step 2: 2 (sim 1 with A) -> 0.2+0 = 0.2, 4 (sim 0) -> 0.4: pick 4.
    expect(diversify(c, catalog.traits, 1, 3, 100, w).map((x) => x.itemId)).toEqual([1, 4, 2]);
  });
});

describe('feeds', () => {
  it('rankFromScores excludes items and pages without overlap', () => {
    const scores = Float32Array.from([-1e9, 6, 5, 4, 3, 2, 1]);
    const q = { count: 2, offset: 0, discover: 0, exclude: new Set([2]) };
    expect(rankFromScores(scores, catalog, q).map((r) => r.itemId)).toEqual([1, 3]);
    expect(rankFromScores(scores, catalog, { ...q, offset: 2 }).map((r) => r.itemId)).toEqual([4, 5]);
    expect(rankFromScores(scores, catalog, q)[0]).toEqual({ itemId: 1, score: 6, source: 'model' });
  });

  it('rankFromScores puts new items (popularity 0) into the slots, ranked among themselves by score', () => {
    // 12 trained items (scores 100..89) and three new ones whose scores would rank them last globally.
    const trained = Array.from({ length: 12 }, (_, k) => item(k + 1, ['A'], 50 - k));
    const withNew = new CatalogIndex([...trained, item(13, ['B'], 0), item(14, ['C'], 0), item(15, ['B'], 0)]);
    expect([...withNew.newItemIds]).toEqual([13, 14, 15]);
    const scores = Float32Array.from([-1e9, ...Array.from({ length: 12 }, (_, k) => 100 - k), 1, 3, 2]);
    const q = { count: 10, offset: 0, discover: 0, exclude: new Set<number>() };
    const feed = rankFromScores(scores, withNew, q);
    expect(feed.map((r) => r.itemId)).toEqual([1, 2, 3, 4, 14, 5, 6, 7, 8, 15]);
    expect(feed[4]).toEqual({ itemId: 14, score: 3, source: 'new' });
    expect(feed[0].source).toBe('model');
    // Next page continues without overlap: 13 takes the slot at feed position 14.
    expect(rankFromScores(scores, withNew, { ...q, offset: 10 }).map((r) => r.itemId)).toEqual([9, 10, 11, 12, 13]);
    // A new item already seen or disliked is never shown; the next new item takes its slot.
    expect(rankFromScores(scores, withNew, { ...q, exclude: new Set([14, 1]) }).map((r) => r.itemId)).toEqual([2, 3, 4, 5, 15, 6, 7, 8, 9, 13]);
    // Custom positions, and slots off: one global ranking where the new items come last.
    expect(rankFromScores(scores, withNew, { ...q, count: 4 }, { period: 4, positions: [0] }).map((r) => r.itemId)).toEqual([14, 1, 2, 3]);
    expect(rankFromScores(scores, withNew, { ...q, count: 15 }, null).map((r) => r.itemId).slice(12)).toEqual([14, 15, 13]);
    // The discover control still re-ranks the trained part; new items stay in their slots.
    const discovered = rankFromScores(scores, withNew, { ...q, discover: 1 });
    expect([discovered[4].itemId, discovered[9].itemId]).toEqual([14, 15]);
    expect(discovered.filter((r) => r.source === 'model')).toHaveLength(8);
  });

  it('rankFromScores with many new items equals sorting all of them and cutting (ties by id, excluded ones skipped)', () => {
    // The feed as it was built before the new items were selected instead of sorted whole.
    const reference = (scores: Float32Array, c: CatalogIndex, q: FeedQuery) => {
      const ordered = diversify(feedPool(scores, c, q, true), c.traits, q.discover, q.offset + q.count, c.maxPopularity, DISCOVER_WEIGHTS, q.seed ?? 0);
      const fresh = [...c.newItemIds].filter((id) => id < scores.length && !q.exclude.has(id)).map((id) => ({ itemId: id, relevance: scores[id] }));
      fresh.sort((a, b) => b.relevance - a.relevance || a.itemId - b.itemId);
      type Card = { itemId: number; relevance: number; source: 'model' | 'new' };
      const merged = interleaveNewItems<Card>(ordered.map((x) => ({ ...x, source: 'model' })), fresh.slice(0, q.offset + q.count).map((x) => ({ ...x, source: 'new' })), NEW_ITEM_SLOTS, q.exclude);
      return merged.slice(q.offset, q.offset + q.count).map((x) => ({ itemId: x.itemId, score: x.relevance, source: x.source }));
    };
    const n = 3000;
    const items = Array.from({ length: n }, (_, k) => item(k + 1, [['A', 'B', 'C'][k % 3]], k % 5 === 0 ? 0 : 1 + (k % 97)));
    const c = new CatalogIndex(items);
    expect(c.newItemIds.size).toBe(600);
    for (const ties of [false, true]) {
      const scores = Float32Array.from({ length: n + 1 }, (_, i) => (i === 0 ? -1e9 : ties ? ((i * 7919) % 13) / 4 : Math.sin(i * 12.9898) * 5));
      for (const q of [
        { count: 24, offset: 0, discover: 0, exclude: new Set<number>() },
        { count: 12, offset: 24, discover: 0.5, exclude: new Set([5, 10, 15, 20, 1, 2]) },
        { count: 30, offset: 60, discover: 1, exclude: new Set(Array.from({ length: 300 }, (_, k) => 1 + k * 5)), seed: 3 },
      ]) {
        expect(rankFromScores(scores, c, q), `ties ${ties}, offset ${q.offset}`).toEqual(reference(scores, c, q));
      }
    }
  });

  it('rankFromScores without new items in the catalog is the plain ranking, with or without slots', () => {
    const scores = Float32Array.from([-1e9, 6, 5, 4, 3, 2, 1]);
    expect(catalog.newItemIds.size).toBe(0);
    for (const discover of [0, 0.5, 1]) {
      const q = { count: 6, offset: 0, discover, exclude: new Set<number>() };
      expect(rankFromScores(scores, catalog, q)).toEqual(rankFromScores(scores, catalog, q, null));
    }
    // A catalog without any popularity has nothing to tell new from trained: no slots.
    const noPopularity = new CatalogIndex([item(1, ['A'], 0), item(2, ['B'], 0)]);
    expect(noPopularity.newItemIds.size).toBe(0);
  });

  it('popularFeed is popular first and spans genres', () => {
    const feed = popularFeed(catalog, { count: 3, offset: 0, discover: 0, exclude: new Set() });
    expect(feed[0]).toMatchObject({ itemId: 1, source: 'popular' });
    expect(new Set(feed.map((r) => catalog.byId.get(r.itemId)?.genres[0]))).toEqual(new Set(['A', 'B', 'C']));
    expect(popularFeed(catalog, { count: 6, offset: 0, discover: 0, exclude: new Set([1]) }).map((r) => r.itemId)).not.toContain(1);
  });
});

describe('CatalogIndex.rankedIds', () => {
  it('orders ids by score (ties by id), skips ids without a score, and reuses the order for the same array', () => {
    const c = new CatalogIndex([item(1, ['A'], 1), item(2, ['A'], 1), item(3, ['B'], 1), item(9, ['B'], 1)]);
    const scores = Float32Array.from([-1e9, 0.5, 2, 0.5]); // id 9 has no score
    const ids = c.rankedIds(scores);
    expect([...ids]).toEqual([2, 1, 3]);
    expect(c.rankedIds(scores)).toBe(ids);
    const other = Float32Array.from([-1e9, 3, 2, 1]);
    expect([...c.rankedIds(other)]).toEqual([1, 2, 3]);
    const feed = rankFromScores(other, c, { count: 2, offset: 0, discover: 0, exclude: new Set([1]) }, null);
    expect(feed.map((x) => x.itemId)).toEqual([2, 3]);
  });

  it('with atLeast, selects the same best prefix as the whole sort (ties by id), and grows it when asked for more', () => {
    const n = 5000;
    const items = Array.from({ length: n }, (_, k) => item(k + 1, ['A'], 1));
    // Many ties: scores take 50 distinct values.
    const scores = Float32Array.from({ length: n + 1 }, (_, i) => (i === 0 ? -1e9 : ((i * 7919) % 50) / 10));
    const whole = [...new CatalogIndex(items).rankedIds(scores)];
    const c = new CatalogIndex(items);
    const top = c.rankedIds(scores, 120);
    expect(top.length).toBe(120);
    expect([...top]).toEqual(whole.slice(0, 120));
    expect(c.rankedIds(scores, 100)).toBe(top); // remembered prefix is long enough
    const more = c.rankedIds(scores, 700);
    expect([...more]).toEqual(whole.slice(0, 700));
    // The feed from a partial selection equals the feed from the whole order.
    const q = { count: 24, offset: 0, discover: 0.5, exclude: new Set(whole.slice(0, 40)) };
    expect(rankFromScores(scores, new CatalogIndex(items), q)).toEqual(rankFromScores(scores, c, q));
  });

  it('on a large catalog (sampled bound) selects the same prefix as the whole sort: distinct scores, ties, NaN, masked and equal scores', () => {
    const n = 30_000;
    const items = Array.from({ length: n }, (_, k) => item(k + 1, ['A'], 1));
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const cases: Record<string, (i: number) => number> = {
      distinct: () => rnd() * 10,
      ties: (i) => ((i * 7919) % 40) / 10,
      nan: (i) => (i % 7 === 0 ? Number.NaN : rnd()),
      masked: (i) => (i % 3 === 0 ? -1e9 : rnd()),
      mostlyNaN: (i) => (i % 500 === 0 ? rnd() : Number.NaN),
      equal: () => 1,
      sorted: (i) => i,
    };
    for (const [name, f] of Object.entries(cases)) {
      const scores = Float32Array.from({ length: n + 1 }, (_, i) => (i === 0 ? -1e9 : f(i)));
      // The reference order: score descending, NaN last (as kthLargest counts it), ties by id.
      const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
      const whole = items.map((it) => it.id).sort((a, b) => key(b) - key(a) || (Number.isNaN(scores[a]) ? 1 : 0) - (Number.isNaN(scores[b]) ? 1 : 0) || a - b);
      const numbers = whole.filter((i) => !Number.isNaN(scores[i])).length;
      // (Fewer numbers than k: not compared; the k-th largest is NaN there, with or without the sample.)
      for (const k of [1, 24, 370, 2370, 3700].filter((k) => k <= numbers)) {
        expect([...new CatalogIndex(items).rankedIds(scores, k)], `${name}, ${k}`).toEqual(whole.slice(0, k));
      }
    }
  });
});

describe('kthLargest', () => {
  it('equals the sorted order for every k, with ties, negatives and NaN (NaN counts as the smallest value)', () => {
    let seed = 11;
    const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 4294967296; };
    for (const n of [1, 2, 3, 10, 257]) {
      const base = Array.from({ length: n }, () => (rand() < 0.1 ? Number.NaN : Math.round(rand() * 20) - 10));
      const numbers = Float64Array.from(base.filter((x) => !Number.isNaN(x))).sort();
      const sorted = [...base.filter((x) => Number.isNaN(x)), ...numbers]; // ascending, NaN first
      for (let k = 1; k <= n; k++) {
        const expected = sorted[n - k];
        const got = kthLargest(Float64Array.from(base), k);
        if (Number.isNaN(expected)) expect(got).toBeNaN();
        else expect(got).toBe(expected);
      }
    }
    expect(() => kthLargest(new Float64Array(3), 0)).toThrow(RangeError);
    expect(() => kthLargest(new Float64Array(3), 4)).toThrow(RangeError);
  });
});

