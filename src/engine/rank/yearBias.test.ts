import { describe, expect, it } from 'vitest';
import { biasGain, bucketCase, fitBucketBias, personYearEdges, withBucketBias, YEAR_EDGES, yearBuckets } from './yearBias';

describe('per-person year-bucket bias', () => {
  it('buckets years by the edges, unknown years to -1', () => {
    expect(Array.from(yearBuckets([null, 1975, 1980, 1995, 1997, 1999], [1980, 1996, 1998]))).toEqual([-1, 0, 1, 1, 2, 3]);
  });

  it('edges are anchored at the person\'s newest year: a bucket per year for five years, then wider', () => {
    expect(personYearEdges(2000)).toEqual([1982, 1992, 1996, 1997, 1998, 1999, 2000]);
    expect(YEAR_EDGES).toEqual([1980, 1990, 1994, 1995, 1996, 1997, 1998]);
    expect(Array.from(yearBuckets([1950, 1990, 1997, 1999, 2003], personYearEdges(2000)))).toEqual([0, 1, 4, 6, 7]);
  });

  it('a case\'s gap is the item\'s year minus the softmax-weighted mean year of the candidates with a year', () => {
    const buckets = Int32Array.from([-1, 0, 1, 1, -1]);
    const years = [null, 1990, 2000, 2000, null];
    // Candidates 1 (1990, weight 1), 2 (2000, weight 3), 4 (unknown: no part in the mean); 3 is the target.
    const c = bucketCase([0, 0, Math.log(3), 0, 5], buckets, 2, new Set([3]), 2, years);
    expect(c?.gap).toBeCloseTo(2000 - (1990 + 3 * 2000) / 4, 10);
    expect(bucketCase([0, 0, 0, 0, 0], buckets, 2, new Set(), 2)?.gap).toBe(0); // no years given
  });

  it('a case is the softmax mass per bucket over the candidates, skipping the items before the target', () => {
    const buckets = Int32Array.from([-1, 0, 0, 1, -1]);
    const c = bucketCase([0, 0, 0, Math.log(2), 0], buckets, 2, new Set([2]), 3);
    expect(c?.target).toBe(1);
    // Candidates 1 (bucket 0, e^0), 3 (bucket 1, e^ln2 = 2), 4 (unknown, 1): masses 1/4, 2/4, 1/4.
    expect(Array.from(c?.mass ?? [])).toEqual([0.25, 0.5, 0.25]);
    expect(bucketCase([0, 0, 0, 0, 0], buckets, 2, new Set([3]), 3)).toBeNull();
    expect(bucketCase([0, 0, 0, 0, 0], buckets, 2, new Set(), 4)).toBeNull();
  });

  it('fits the bias that makes the observed buckets likely: the log-odds, shrunk by L2', () => {
    // Equal mass on two buckets, the person's items fall in bucket 1 three times out of four.
    const cases = [0, 1, 1, 1].map((target) => ({ mass: Float64Array.from([0.5, 0.5, 0]), target, gap: 0 }));
    const free = fitBucketBias(cases, 2, 0, 2000);
    expect(free[1] - free[0]).toBeCloseTo(Math.log(3), 3);
    const shrunk = fitBucketBias(cases, 2, 1, 2000);
    expect(shrunk[1] - shrunk[0]).toBeGreaterThan(0);
    expect(shrunk[1] - shrunk[0]).toBeLessThan(free[1] - free[0]);
    expect(Array.from(fitBucketBias([], 2, 1))).toEqual([0, 0]);
  });

  it('the gain of a case is the log-likelihood change of its item under the bias', () => {
    const c = { mass: Float64Array.from([0.25, 0.5, 0.25]), target: 1, gap: 0 };
    expect(biasGain(c, Float64Array.from([0, 0]))).toBeCloseTo(0, 12);
    const b = Float64Array.from([0, Math.log(2)]);
    // p(target) goes from 0.5 to 1 / (0.25 + 1 + 0.25): log(1 / 1.5 / 0.5) = log(4 / 3).
    expect(biasGain(c, b)).toBeCloseTo(Math.log(4 / 3), 12);
    expect(biasGain({ ...c, target: 0 }, b)).toBeLessThan(0);
  });

  it('adds the bias to the scores of items with a bucket only', () => {
    const out = withBucketBias(Float32Array.from([1, 1, 1]), Int32Array.from([-1, 0, 1]), Float64Array.from([0.5, -1]));
    expect(Array.from(out)).toEqual([1, 1.5, 0]);
  });
});
