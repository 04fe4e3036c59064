import { describe, expect, it } from 'vitest';
import { removeItems, splitItems } from '../data/itemSplit';
import { coldStartMetrics, itemColdCases, itemWarmCases, randomScorer, slotFeedRanks, userColdCases } from './coldStart';
import { rankCases } from './protocol';
import type { Scorer } from './scorer';

/** Scores one fixed row for every history (index = item id). */
function fixedScorer(row: readonly number[]): Scorer {
  return {
    name: 'fixed',
    async score(histories) {
      const out = new Float64Array(histories.length * row.length);
      histories.forEach((_, i) => out.set(row, i * row.length));
      return out;
    },
  };
}

describe('cold-start protocols', () => {
  it('user cold start: first k items as history, the next one as target', () => {
    const cases = userColdCases([[1, 2, 3, 4], [5, 6], [7, 8, 9]], 2);
    expect(cases.map((c) => [Array.from(c.history), c.target])).toEqual([[[1, 2], 3], [[7, 8], 9]]);
    expect(Array.from(cases[0].exclude)).toEqual([1, 2]);
    expect(userColdCases([[1, 2, 3]], 3)).toEqual([]);
  });

  it('item cold start: newest held-out target with known history; held-out items leave the history', () => {
    const held = new Set([4, 9]);
    const cases = itemColdCases([[1, 4, 2, 9, 3], [4, 1], [9, 4], [2, 3]], held);
    expect(cases).toHaveLength(1);
    expect(cases[0].target).toBe(9);
    expect(Array.from(cases[0].history)).toEqual([1, 2]);
    expect(Array.from(cases[0].exclude).sort()).toEqual([1, 2, 4]);
  });

  it('item warm cases: the same users, newest known target with known history', () => {
    const held = new Set([4, 9]);
    const seqs = [[1, 4, 2, 9, 3], [4, 1], [9, 4], [2, 3], [5, 9, 6]];
    expect(itemColdCases(seqs, held).map((c) => c.target)).toEqual([9, 9]);
    const warm = itemWarmCases(seqs, held);
    // Users 0 and 4 have a cold case; user 3 (no held-out item) is not part of it.
    expect(warm.map((c) => c.target)).toEqual([3, 6]);
    expect(Array.from(warm[0].history)).toEqual([1, 2]);
    expect(Array.from(warm[0].exclude).sort()).toEqual([1, 2, 4, 9]);
    expect(Array.from(warm[1].history)).toEqual([5]);
  });

  it('slotFeedRanks: new targets are found at the slots, ordinary targets shift past them', async () => {
    // Items 1..12 trained (scores 120..10), 13..16 new (scores 4, 3, 2, 1): new items rank last globally.
    const row = [-1e9, 120, 110, 100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 4, 3, 2, 1];
    const scorer = fixedScorer(row);
    const newItems = new Set([13, 14, 15, 16]);
    const cases = [
      { history: [1], target: 13, exclude: [1] }, // best new item: first slot
      { history: [1], target: 14, exclude: [1, 13] }, // 13 seen: 14 is now the best new item
      { history: [1], target: 15, exclude: [1] }, // third new item: past the two slots of the first 10
      { history: [1], target: 3, exclude: [1] }, // ordinary: 2, 3 -> position 1 (no slot before it)
      { history: [1], target: 5, exclude: [1] }, // ordinary: 2, 3, [13], 4, 5 -> position 4
      { history: [1], target: 9, exclude: [1] }, // ordinary 8th -> position 9 (two slots before it)
    ];
    const defaultSlots = { period: 10, positions: [2, 7] };
    const lastSlot = { period: 10, positions: [9] };
    const [a, b] = await slotFeedRanks(scorer, cases, 16, newItems, [defaultSlots, lastSlot]);
    expect(Array.from(a)).toEqual([2, 2, 10, 1, 4, 9]);
    expect(Array.from(b)).toEqual([9, 9, 10, 1, 3, 7]);
    // Without slots (one global ranking) the new items are far down.
    const { ranks } = await rankCases(scorer, cases, { numItems: 16, topK: 0 });
    expect(Array.from(ranks)).toEqual([11, 11, 13, 1, 3, 7]);
    expect(coldStartMetrics(a)['HR@10']).toBeCloseTo(5 / 6);
  });

  it('splitItems holds out a seeded share; removeItems drops their interactions only', () => {
    const a = splitItems(20, 0.1, 11);
    expect(a).toHaveLength(2);
    expect(splitItems(20, 0.1, 11)).toEqual(a);
    expect(splitItems(20, 0.1, 12)).not.toEqual(a);
    const ds = { source: 't', numItems: 5, itemIds: ['', 'a', 'b', 'c', 'd', 'e'], userIds: ['u'], sequences: [Int32Array.from([1, 2, 3, 2])], times: [Float64Array.from([1, 2, 3, 4])] };
    const out = removeItems(ds, [2]);
    expect(Array.from(out.sequences[0])).toEqual([1, 3]);
    expect(Array.from(out.times?.[0] ?? [])).toEqual([1, 3]);
    expect(out.numItems).toBe(5);
    expect(Array.from(ds.sequences[0])).toEqual([1, 2, 3, 2]); // input untouched
  });

  it('the random baseline scores about chance: HR@10 ~ 10 / candidates', async () => {
    const cases = Array.from({ length: 400 }, (_, i) => ({ history: [1], target: 2 + (i % 99), exclude: [1] }));
    const { ranks } = await rankCases(randomScorer(100, 3), cases, { numItems: 100, topK: 0 });
    const m = coldStartMetrics(ranks);
    expect(m['HR@10']).toBeGreaterThan(0.06);
    expect(m['HR@10']).toBeLessThan(0.15); // chance: 10 / 99
    expect(m['NDCG@10']).toBeLessThan(m['HR@10']);
  });
});
