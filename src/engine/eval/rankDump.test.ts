import { describe, expect, it } from 'vitest';
import { formatRankDump, metricsFromDump, ndcgPerRow, pairedNdcgLift, parseRankDump } from './rankDump';

describe('rank dumps', () => {
  const rows = [
    { user: 'u1', target: 7, top: [7, 1, 2] },
    { user: 'u2', target: 9, top: [1, 2, 9] },
    { user: 'u3', target: 5, top: [1, 2, 3] },
  ];

  it('round-trips through the TSV format', () => {
    const text = formatRankDump(rows);
    expect(text).toBe('u1\t7\t7 1 2\nu2\t9\t1 2 9\nu3\t5\t1 2 3\n');
    expect(parseRankDump(text, 'd.tsv')).toEqual(rows);
  });

  it('recomputes HR, NDCG and MRR@N from positions in the lists', () => {
    const m = metricsFromDump(rows);
    expect(m['HR@5']).toBeCloseTo(2 / 3, 12);
    expect(m['NDCG@5']).toBeCloseTo((1 + 1 / Math.log2(4)) / 3, 12);
    expect(m['MRR@3']).toBeCloseTo((1 + 1 / 3) / 3, 12);
  });

  it('rejects malformed lines', () => {
    expect(() => parseRankDump('u1 7 1 2\n', 'd.tsv')).toThrow(/^d\.tsv:1: expected 3 tab-separated fields/);
    expect(() => parseRankDump('u1\tx\t1\n', 'd.tsv')).toThrow(/d\.tsv:1: target and top ids must be integers/);
    expect(() => parseRankDump('\n', 'd.tsv')).toThrow(/the dump is empty/);
  });

  it('compares two dumps of the same people: per-row NDCG@10, lift and a paired interval', () => {
    expect(Array.from(ndcgPerRow(rows))).toEqual([1, 0.5, 0]);
    const better = rows.map((r) => ({ ...r, top: [r.target, 1, 2] }));
    const cmp = pairedNdcgLift(better, rows, 'b.tsv', 'a.tsv');
    expect(cmp.users).toBe(3);
    expect(cmp.baselineNdcg10).toBeCloseTo(0.5, 12);
    expect(cmp.ndcg10).toBe(1);
    expect(cmp.liftPct).toBeCloseTo(100, 9);
    // Every person gains or ties (u1 ties: a resample of only u1 gives 0), so no interval end is below 0.
    expect(cmp.ci95[0]).toBeGreaterThanOrEqual(0);
    expect(cmp.ci95[0]).toBeLessThanOrEqual(cmp.liftPct);
    expect(cmp.ci95[1]).toBeGreaterThanOrEqual(cmp.liftPct);
    expect(pairedNdcgLift(rows, rows, 'a.tsv', 'a.tsv')).toMatchObject({ liftPct: 0, ci95: [0, 0] });
  });

  it('refuses to compare dumps of different people or targets', () => {
    expect(() => pairedNdcgLift(rows.slice(0, 2), rows, 'b.tsv', 'a.tsv')).toThrow(/a\.tsv has 3 rows but b\.tsv has 2; compare dumps of the same evaluation/);
    const moved = [rows[0], { ...rows[1], target: 4 }, rows[2]];
    expect(() => pairedNdcgLift(moved, rows, 'b.tsv', 'a.tsv')).toThrow(/^a\.tsv:2: user u2 target 9 but b\.tsv has user u2 target 4 there/);
  });
});
