import { describe, expect, it } from 'vitest';
import { itemKnnScorer, itemTransitionScorer, mostPopularScorer } from './baselines';
import { itemUserCounts } from './scorer';

const row = async (s: { score(h: ArrayLike<number>[]): Promise<Float32Array | Float64Array> }, h: number[]) => Array.from(await s.score([h]));

describe('itemUserCounts', () => {
  it('counts distinct users per item', () => {
    expect(Array.from(itemUserCounts([[1, 2, 1], [2], [3, 2]], 4))).toEqual([0, 1, 3, 1, 0]);
  });
});

describe('baselines', () => {
  it('most-popular scores every item by its training user count, whatever the history', async () => {
    const s = mostPopularScorer([[1, 2], [2, 3], [2]], 3);
    expect(s.name).toBe('most-popular');
    expect(await row(s, [1])).toEqual([0, 1, 3, 1]);
    const both = await s.score([[1], [3, 2]]);
    expect(Array.from(both)).toEqual([0, 1, 3, 1, 0, 1, 3, 1]);
  });

  it('item-to-item sums decayed transition probabilities of the newest items', async () => {
    // 1->2 twice, 2->3 once, 3->1 once: P(2|1) = 1, P(3|2) = 1, P(1|3) = 1.
    const train = [[1, 2, 3], [1, 2], [3, 1], [4]];
    const s = itemTransitionScorer(train, 4, { window: 2, decay: 0.5 });
    const r = await row(s, [3, 1, 2]);
    expect(r[3]).toBeCloseTo(1, 6); // from the newest item 2
    expect(r[2]).toBeCloseTo(0.5, 6); // from item 1, weight 0.5
    expect(r[1]).toBeCloseTo(0, 6); // item 3 is outside the window of 2
    // Item 4 is never followed by anything: only the popularity back-off (users 3, 2, 2, 1) orders items.
    const cold = await row(s, [4]);
    expect(cold[1]).toBeGreaterThan(cold[2]);
    expect(cold[2]).toBe(cold[3]);
    expect(cold[3]).toBeGreaterThan(cold[4]);
    expect(cold[4]).toBeGreaterThan(0);
    expect(cold[1]).toBeLessThan(1e-8);
  });

  it('item-kNN sums cosine similarities of the distinct history items', async () => {
    // users {1,2}, {1,2,3}, {3}: cos(1,2) = 2/2 = 1, cos(1,3) = cos(2,3) = 1/2.
    const s = itemKnnScorer([[1, 2], [1, 2, 3], [3]], 3);
    const a = await row(s, [1]);
    expect(a[2]).toBeCloseTo(1, 6);
    expect(a[3]).toBeCloseTo(0.5, 6);
    expect(a[1]).toBeCloseTo(0, 6);
    const b = await row(s, [1, 1, 2]);
    expect(b[1]).toBeCloseTo(1, 6);
    expect(b[2]).toBeCloseTo(1, 6);
    expect(b[3]).toBeCloseTo(1, 6);
    const w = await row(itemKnnScorer([[1, 2], [1, 2, 3], [3]], 3, { window: 1 }), [1, 2]);
    expect(w[1]).toBeCloseTo(1, 6);
    expect(w[3]).toBeCloseTo(0.5, 6);
  });
});
