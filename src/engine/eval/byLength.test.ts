import { describe, expect, it } from 'vitest';
import { metricsByLength } from './byLength';

describe('metricsByLength', () => {
  it('puts each person in the group of their interaction count and averages per group', () => {
    // lengths 10, 49 -> <50; 50 -> 50–99; 100, 300 -> ≥100
    const groups = metricsByLength([10, 49, 50, 100, 300], [0, 20, 1, 9, 10], [50, 100]);
    expect(groups.map((g) => g.label)).toEqual(['<50', '50–99', '≥100']);
    expect(groups.map((g) => g.users)).toEqual([2, 1, 2]);
    expect(groups[0]['HR@10']).toBe(0.5);
    expect(groups[0]['NDCG@10']).toBeCloseTo(0.5, 12); // (1 + 0) / 2
    expect(groups[1]['NDCG@10']).toBeCloseTo(1 / Math.log2(3), 12);
    expect(groups[2]['HR@10']).toBe(0.5); // rank 9 hits, rank 10 does not
    expect(groups[2]['NDCG@10']).toBeCloseTo(1 / Math.log2(11) / 2, 12);
    expect(groups[1]).toMatchObject({ min: 50, max: 99 });
    expect(groups[2]).toMatchObject({ min: 100, max: null });
  });

  it('keeps empty groups and one "all" group without edges', () => {
    expect(metricsByLength([5], [0], [50, 100]).map((g) => g.users)).toEqual([1, 0, 0]);
    const all = metricsByLength([5, 500], [0, 50], []);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ label: 'all', users: 2, 'HR@10': 0.5 });
  });

  it('rejects edges that are not ascending positive integers and mismatched inputs', () => {
    expect(() => metricsByLength([1], [0], [100, 50])).toThrow(/ascending positive integers/);
    expect(() => metricsByLength([1], [0], [0])).toThrow(/ascending/);
    expect(() => metricsByLength([1, 2], [0], [])).toThrow(/2 lengths but 1 ranks/);
  });
});
