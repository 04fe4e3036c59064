import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../recommender/types';
import { diversify, genreSimilarity, noveltyScore } from './diversify';
import { CatalogIndex, popularFeed, rankFromScores } from './rankFeed';

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

  it('popularFeed is popular first and spans genres', () => {
    const feed = popularFeed(catalog, { count: 3, offset: 0, discover: 0, exclude: new Set() });
    expect(feed[0]).toMatchObject({ itemId: 1, source: 'popular' });
    expect(new Set(feed.map((r) => catalog.byId.get(r.itemId)?.genres[0]))).toEqual(new Set(['A', 'B', 'C']));
    expect(popularFeed(catalog, { count: 6, offset: 0, discover: 0, exclude: new Set([1]) }).map((r) => r.itemId)).not.toContain(1);
  });
});
