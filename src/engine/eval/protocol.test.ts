import { describe, expect, it } from 'vitest';
import { looMetrics, rankCases, sampleNegatives, targetRank, topKItems, type ScorerRanks } from './protocol';
import type { EvalCase } from './rankTargets';
import type { Scorer } from './scorer';

/** A scorer that returns the same fixed row for every history. */
function fixedScorer(row: number[], batchSize = 2): Scorer {
  return {
    name: 'fixed',
    batchSize,
    async score(histories) {
      const out = new Float64Array(histories.length * row.length);
      histories.forEach((_, r) => out.set(row, r * row.length));
      return out;
    },
  };
}

const mask = (vocab: number, ids: number[]) => {
  const m = new Uint8Array(vocab);
  for (const i of ids) m[i] = 1;
  return m;
};

describe('targetRank and topKItems', () => {
  const row = [-Infinity, 0.5, 0.9, 0.5, 0.1, 0.7];

  it('counts ties against the target and skips excluded items', () => {
    expect(targetRank(row, 1, mask(6, [5]))).toBe(2); // item 2 (0.9) and item 3 (tie 0.5)
    expect(targetRank(row, 3, mask(6, [5]))).toBe(2); // symmetric: the tie counts against 3 too
    expect(targetRank(row, 2, mask(6, []))).toBe(0);
    expect(targetRank(row, 4, mask(6, [2, 5]))).toBe(2);
  });

  it('ranks a NaN target score last', () => {
    const row = [-Infinity, Number.NaN, 0.2, Number.NaN, 0.1];
    expect(targetRank(row, 1, mask(5, [4]))).toBe(2);
    expect(Array.from(topKItems(row, 5, mask(5, [4]), 1))).toEqual([2, 3, 1]);
  });

  it('orders the top list like the ranks (target after items it ties with)', () => {
    expect(Array.from(topKItems(row, 3, mask(6, [5]), 1))).toEqual([2, 3, 1]);
    expect(Array.from(topKItems(row, 3, mask(6, [5]), 3))).toEqual([2, 1, 3]);
    expect(Array.from(topKItems(row, 10, mask(6, []), 4))).toEqual([2, 5, 1, 3, 4]);
  });
});

describe('rankCases', () => {
  it('excludes seen items, keeps the target, and agrees with the top lists', async () => {
    const cases: EvalCase[] = [
      { history: [2, 5], target: 1, exclude: [2, 5] }, // without exclusion item 2 and 5 would beat it
      { history: [1], target: 4, exclude: [1] },
      { history: [3, 3, 1], target: 2, exclude: [3, 1] },
    ];
    const r = await rankCases(fixedScorer([-Infinity, 0.5, 0.9, 0.5, 0.1, 0.7]), cases, { numItems: 5, topK: 5 });
    expect(Array.from(r.ranks)).toEqual([1, 3, 0]);
    r.top.forEach((t, i) => expect(Array.from(t).indexOf(cases[i].target)).toBe(r.ranks[i]));
    expect(Array.from(r.top[0])).toEqual([3, 1, 4]);
    expect(r.sampledRanks).toBeNull();
  });

  it('gives a constant scorer no credit (all items tie)', async () => {
    const cases: EvalCase[] = [{ history: [1], target: 2, exclude: [1] }];
    const r = await rankCases(fixedScorer(new Array(31).fill(1)), cases, { numItems: 30 });
    expect(r.ranks[0]).toBe(28);
  });

  it('ranks against the sampled negatives only when given', async () => {
    const cases: EvalCase[] = [{ history: [5], target: 1, exclude: [5] }];
    const r = await rankCases(fixedScorer([-Infinity, 0.5, 0.9, 0.5, 0.1, 0.7]), cases, {
      numItems: 5,
      negatives: [Int32Array.from([3, 4])],
    });
    expect(r.sampledRanks?.[0]).toBe(1); // item 3 ties, item 4 is below
  });
});

describe('sampleNegatives', () => {
  const cases: EvalCase[] = [
    { history: [1, 2, 3], target: 4, exclude: [1, 2, 3] },
    { history: [7], target: 8, exclude: [7] },
  ];

  it('draws distinct items the user never saw, reproducibly for a seed', () => {
    const a = sampleNegatives(cases, 200, 100, 7);
    const b = sampleNegatives(cases, 200, 100, 7);
    expect(a.map((x) => Array.from(x))).toEqual(b.map((x) => Array.from(x)));
    expect(a[0].length).toBe(100);
    expect(new Set(a[0]).size).toBe(100);
    for (const j of a[0]) expect([1, 2, 3, 4]).not.toContain(j);
    for (const j of a[1]) expect(j >= 1 && j <= 200 && j !== 7 && j !== 8).toBe(true);
    expect(Array.from(sampleNegatives(cases, 200, 100, 8)[0])).not.toEqual(Array.from(a[0]));
  });

  it('returns every unseen item when fewer than requested remain', () => {
    expect(Array.from(sampleNegatives(cases, 6, 100, 1)[0]).sort()).toEqual([5, 6]);
  });
});

describe('looMetrics', () => {
  it('equals hand-computed accuracy and beyond-accuracy values', () => {
    const result: ScorerRanks = {
      ranks: Int32Array.from([0, 3]),
      top: [Int32Array.from([2, 3, 1]), Int32Array.from([2, 5, 4])],
      sampledRanks: null,
    };
    const genres: Record<number, string[]> = { 2: ['A'], 3: ['A', 'B'], 5: ['C'] };
    const m = looMetrics(result, {
      numItems: 5,
      itemUserCounts: [0, 4, 4, 2, 1, 0],
      numUsers: 4,
      genresOf: (i) => genres[i] ?? [],
    }, 2);
    expect(m['HR@5']).toBe(1);
    expect(m['HR@10']).toBe(1);
    expect(m['NDCG@5']).toBeCloseTo((1 + 1 / Math.log2(5)) / 2, 12);
    expect(m.MRR).toBeCloseTo((1 + 1 / 4) / 2, 12);
    // Top-2 lists {2,3} and {2,5}: 3 of 5 items.
    expect(m['coverage@2']).toBeCloseTo(0.6, 12);
    // -log2(4/4) = 0, -log2(2/4) = 1, -log2(4/4) = 0, item 5 unseen counts as 1 user: -log2(1/4) = 2.
    expect(m['novelty@2']).toBeCloseTo(0.75, 12);
    // d({A},{A,B}) = 1 - 1/2; d({A},{C}) = 1.
    expect(m['ild@2']).toBeCloseTo(0.75, 12);
  });

  it('reports ILD as null without genres', () => {
    const m = looMetrics({ ranks: Int32Array.from([0]), top: [Int32Array.from([1, 2])], sampledRanks: null },
      { numItems: 2, itemUserCounts: [0, 1, 1], numUsers: 1, genresOf: null });
    expect(m['ild@10']).toBeNull();
    expect(m['coverage@10']).toBe(1);
  });
});
