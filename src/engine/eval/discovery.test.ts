import { describe, expect, it } from 'vitest';
import { CatalogIndex } from '../rank/rankFeed';
import type { CatalogEntry } from '../recommender/types';
import { discoveryCase, discoveryRow, relativeChange } from './discovery';
import { intraListDiversity, novelty } from './metrics';

describe('novelty and intra-list diversity (hand-computed)', () => {
  it('novelty is the mean self-information -log2(users(i) / users)', () => {
    // item 1: 4 of 8 users -> 1 bit; item 2: 1 of 8 -> 3 bits; item 3: never seen, counted as 1 -> 3 bits
    expect(novelty([[1, 2]], [0, 4, 1, 0], 8)).toBeCloseTo(2, 12);
    expect(novelty([[1], [3]], [0, 4, 1, 0], 8)).toBeCloseTo(2, 12);
  });

  it('ILD is the mean pairwise genre Jaccard distance', () => {
    const g: Record<number, string[]> = { 1: ['A'], 2: ['A', 'B'], 3: ['C'] };
    // d(1,2) = 1 - 1/2, d(1,3) = 1, d(2,3) = 1
    expect(intraListDiversity([1, 2, 3], (i) => g[i])).toBeCloseTo(2.5 / 3, 12);
    expect(intraListDiversity([1, 1], (i) => g[i])).toBe(0);
  });
});

describe('discovery rows', () => {
  // 12 items: 1-6 Drama (popular), 7-12 Comedy (rare)
  const items: CatalogEntry[] = Array.from({ length: 12 }, (_, k) => ({
    id: k + 1, externalId: String(k + 1), title: `t${k + 1}`, year: 2000,
    genres: [k < 6 ? 'Drama' : 'Comedy'], popularity: k < 6 ? 100 : 2,
  }));
  const index = new CatalogIndex(items);
  const counts = [0, ...items.map((it) => it.popularity)];
  const ctx = { numItems: 12, itemUserCounts: counts, numUsers: 200, genresOf: (i: number) => index.traits(i).genres };
  // scores: Drama titles on top, target = 8 (Comedy); item 1 is in the history
  const scores = Float32Array.from([-1e9, 10, 9.9, 9.8, 9.7, 9.6, 9.5, 9.4, 5, 4, 3, 2, 1]);
  const c = discoveryCase(scores, index, { history: [1], target: 8, exclude: [1] });

  it('the pool is the feed pool: history excluded, target kept, best first', () => {
    expect(c.pool.map((x) => x.itemId)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('setting 0 is the model order; a higher setting mixes in Comedy and raises ILD and novelty', () => {
    const r0 = discoveryRow([c], index, ctx, 0);
    // top 10 of the pool = 2..11: target 8 at position 6 -> NDCG 1 / log2(8)
    expect(r0['NDCG@10']).toBeCloseTo(1 / 3, 12);
    // 5 Drama (log2(200/100) = 1 bit) and 5 Comedy (log2(100) bits)
    expect(r0.novelty).toBeCloseTo((5 * 1 + 5 * Math.log2(100)) / 10, 12);
    expect(r0['coverage@10']).toBeCloseTo(10 / 12, 12);
    const r1 = discoveryRow([c], index, ctx, 1, { relevanceKeep: 0.4, diversity: 2, novelty: 0 });
    expect(r1.ild).toBeGreaterThanOrEqual(r0.ild);
    const top2 = discoveryRow([c], index, ctx, 1, { relevanceKeep: 1, diversity: 2, novelty: 0 });
    expect(top2.setting).toBe(1);
    expect(relativeChange(2, 1)).toBe(1);
    expect(relativeChange(1, 0)).toBe(0);
  });
});
