import { describe, expect, it } from 'vitest';
import { bootstrapLiftCi, liftPct, quantile } from './bootstrap';
import { countInTop, multiTargetMetrics, topK } from './multiTarget';

describe('multi-target metrics', () => {
  it('NDCG@10 with 3 relevant items, hand-computed', () => {
    // Relevant 5 and 9 at ranks 1 and 3; ideal: ranks 1, 2, 3.
    const m = multiTargetMetrics([5, 1, 9, 2], [5, 9, 7], 10);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m.ndcg).toBeCloseTo((1 + 1 / Math.log2(4)) / idcg, 12);
    expect(m.hr).toBe(1);
    expect(multiTargetMetrics([1, 2, 3], [9], 10)).toEqual({ hr: 0, ndcg: 0 });
    expect(multiTargetMetrics([9, 1], [9], 1)).toEqual({ hr: 1, ndcg: 1 });
  });
  it('topK skips excluded items and padding, breaks ties by id', () => {
    const scores = Float32Array.from([100, 1, 5, 5, 9, 0]);
    expect(topK(scores, 3, new Set([4]))).toEqual([2, 3, 1]);
    expect(countInTop([2, 3, 1], [3, 8], 2)).toBe(1);
  });
});

describe('bootstrap', () => {
  it('the interval contains the point estimate and is reproducible', () => {
    const before = Array.from({ length: 50 }, (_, i) => (i % 5) / 10);
    const after = before.map((x, i) => x + (i % 3 === 0 ? 0.05 : 0));
    const lift = liftPct(before.reduce((a, b) => a + b) / 50, after.reduce((a, b) => a + b) / 50);
    const ci = bootstrapLiftCi(before, after, 500, 3);
    expect(ci[0]).toBeLessThanOrEqual(lift);
    expect(ci[1]).toBeGreaterThanOrEqual(lift);
    expect(bootstrapLiftCi(before, after, 500, 3)).toEqual(ci);
    expect(liftPct(0.1, 0.11)).toBeCloseTo(10, 10);
  });
});

describe('quantile', () => {
  it('takes the value at floor(q * n) of the sorted values, without interpolation', () => {
    const xs = [5, 1, 4, 2, 3, 10, 7, 6, 9, 8];
    expect(quantile(xs, 0.5)).toBe(6);
    expect(quantile(xs, 0.9)).toBe(10);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 1)).toBe(10);
    expect(quantile([], 0.5)).toBe(0);
    expect(xs[0]).toBe(5); // the input is not reordered
  });
});
