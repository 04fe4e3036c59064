import { describe, expect, it } from 'vitest';
import { formatRankDump, metricsFromDump, parseRankDump } from './rankDump';

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
});
