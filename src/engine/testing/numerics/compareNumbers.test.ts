import { describe, expect, it } from 'vitest';
import { compareEntry, compareValues, describeFailures } from './compareNumbers';
import { makeOpCase, scatterAddReference } from './opChecks';

const tol = { rtol: 1e-4, atol: 1e-5 };

describe('compareEntry', () => {
  it('passes equal arrays and float32 rounding noise', () => {
    const ref = Float32Array.from([1, -2, 3e-3, 0, 40]);
    expect(compareEntry('x', ref, ref, tol).passed).toBe(true);
    const noisy = Array.from(ref, (v) => v * (1 + 3e-7));
    const r = compareEntry('x', ref, noisy, tol);
    expect(r.passed).toBe(true);
    expect(r.scale).toBe(40);
    expect(r.maxAbs).toBeCloseTo(40 * 3e-7, 9);
  });

  it('scales the absolute bound by the largest reference value', () => {
    // 1e-4 off on an element of 0.001 is 10% of it, but 1e-5 of the entry's scale (10): inside atol * scale.
    const ref = [10, 0.001];
    expect(compareEntry('x', ref, [10, 0.001 + 9e-5], tol).passed).toBe(true);
    expect(compareEntry('x', ref, [10, 0.001 + 2e-4], tol).passed).toBe(false);
  });

  it('fails on a missing entry, a length mismatch and NaN', () => {
    expect(compareEntry('x', [1], undefined, tol).problem).toBe('missing');
    expect(compareEntry('x', [1, 2], [1], tol).problem).toMatch(/length 1, expected 2/);
    expect(compareEntry('x', [1, 2], [1, NaN], tol).problem).toMatch(/non-finite value at 1/);
    // The same non-finite value on both sides is agreement (e.g. -1e9 masks stay finite, but -Infinity may appear).
    expect(compareEntry('x', [-Infinity, 2], [-Infinity, 2], tol).passed).toBe(true);
  });

  it('names the worst element', () => {
    const r = compareEntry('g', [1, 2, 3, 4], [1, 2, 3.5, 4], tol);
    expect(r.passed).toBe(false);
    expect(r.failures).toBe(1);
    expect(r.worstIndex).toBe(2);
    expect(describeFailures([r])).toMatch(/^g: 1 element\(s\) over the bound, max \|diff\| 5\.00e-1/);
  });
});

describe('the #8174 failure mode is caught', () => {
  it('a scatter-add that keeps the last duplicate instead of the sum fails against the exact sums', () => {
    const c = makeOpCase();
    const exact = scatterAddReference(c);
    const lastWins = new Float32Array(c.rows * c.dim);
    c.indices.forEach((r, i) => lastWins.set(c.updates.subarray(i * c.dim, (i + 1) * c.dim), r * c.dim));
    const rows = compareValues({ 'op/scatterND': exact }, { 'op/scatterND': lastWins }, { rtol: 1e-5, atol: 1e-6 });
    expect(rows[0].passed).toBe(false);
    expect(rows[0].failures).toBeGreaterThan(c.rows * c.dim * 0.9);
  });
});
