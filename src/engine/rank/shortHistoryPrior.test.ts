import { describe, expect, it } from 'vitest';
import { blendShortHistory, popularityPrior } from './shortHistoryPrior';

describe('short-history popularity prior', () => {
  it('standardises log popularity (index 0 stays 0)', () => {
    const p = popularityPrior([0, 0, Math.E - 1, Math.E ** 2 - 1]); // logs 0, 1, 2
    expect(p[0]).toBe(0);
    expect([...p.slice(1)].map((v) => Number(v.toFixed(4)))).toEqual([-1.2247, 0, 1.2247]);
  });

  it('adds weight x fade x spread x prior, fading to nothing at `until` items', () => {
    const scores = Float32Array.from([-1e9, 1, 2, 3]); // spread of [1,2,3] = sqrt(2/3)
    const prior = Float32Array.from([0, 1, 0, -1]);
    const spread = Math.sqrt(2 / 3);
    const b = blendShortHistory(scores, 2, prior, { weight: 2, until: 10 }); // fade 0.8
    expect(b[0]).toBe(-1e9);
    expect(b[1]).toBeCloseTo(1 + 2 * 0.8 * spread, 5);
    expect(b[2]).toBeCloseTo(2, 6);
    expect(b[3]).toBeCloseTo(3 - 2 * 0.8 * spread, 5);
    expect(blendShortHistory(scores, 10, prior, { weight: 2, until: 10 })).toEqual(scores);
    expect(blendShortHistory(scores, 0, prior, { weight: 0, until: 10 })).toEqual(scores);
    expect(scores[1]).toBe(1); // input untouched
  });
});
