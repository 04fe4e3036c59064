import { describe, expect, it } from 'vitest';
import { removeItems, splitItems } from '../data/itemSplit';
import { coldStartMetrics, itemColdCases, randomScorer, userColdCases } from './coldStart';
import { rankCases } from './protocol';

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
