import { describe, expect, it } from 'vitest';
import { hitAt, ndcgAt, rankMetrics, reciprocalRank } from './metrics';

describe('ranking metrics (0-based ranks)', () => {
  it('single-target values', () => {
    expect(hitAt(0, 1)).toBe(1);
    expect(hitAt(4, 5)).toBe(1);
    expect(hitAt(5, 5)).toBe(0);
    expect(ndcgAt(0, 10)).toBe(1);
    expect(ndcgAt(1, 10)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(ndcgAt(2, 10)).toBe(0.5); // third place: 1 / log2(4)
    expect(ndcgAt(10, 10)).toBe(0);
    expect(reciprocalRank(0)).toBe(1);
    expect(reciprocalRank(3)).toBe(0.25);
  });

  it('averages over targets (hand-computed table)', () => {
    // ranks 0, 2, 7, 12, 30
    const m = rankMetrics([0, 2, 7, 12, 30]);
    expect(m['HR@5']).toBeCloseTo(2 / 5, 12);
    expect(m['HR@10']).toBeCloseTo(3 / 5, 12);
    expect(m['HR@20']).toBeCloseTo(4 / 5, 12);
    expect(m['NDCG@5']).toBeCloseTo((1 + 0.5) / 5, 12);
    expect(m['NDCG@10']).toBeCloseTo((1 + 0.5 + 1 / Math.log2(9)) / 5, 12);
    expect(m['NDCG@20']).toBeCloseTo((1 + 0.5 + 1 / Math.log2(9) + 1 / Math.log2(14)) / 5, 12);
    expect(m.MRR).toBeCloseTo((1 + 1 / 3 + 1 / 8 + 1 / 13 + 1 / 31) / 5, 12);
  });

  it('is all zeros for no targets', () => {
    const m = rankMetrics([]);
    expect(Object.keys(m).sort()).toEqual(['HR@10', 'HR@20', 'HR@5', 'MRR', 'NDCG@10', 'NDCG@20', 'NDCG@5']);
    expect(Object.values(m).every((v) => v === 0)).toBe(true);
  });
});
