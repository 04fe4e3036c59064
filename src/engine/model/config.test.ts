import { describe, expect, it } from 'vitest';
import { LocalRecError } from '../errors';
import { DEFAULT_CONFIG, resolveConfig } from './config';

describe('resolveConfig', () => {
  it('fills defaults without mutating the input', () => {
    const input = { numItems: 10, dim: 32 };
    const cfg = resolveConfig(input);
    expect(cfg).toEqual({ ...DEFAULT_CONFIG, numItems: 10, dim: 32 });
    expect(input).toEqual({ numItems: 10, dim: 32 });
  });

  const bad: [string, Record<string, number | string>, RegExp][] = [
    ['zero items', { numItems: 0 }, /"numItems" must be a positive integer, got 0/],
    ['fractional dim', { numItems: 5, dim: 2.5 }, /"dim" must be a positive integer, got 2.5/],
    ['negative features', { numItems: 5, numFeatures: -1 }, /"numFeatures" must be an integer >= 0/],
    ['heads not dividing dim', { numItems: 5, dim: 10, heads: 3 }, /dim \(10\) must be divisible by heads \(3\)/],
    ['dropout 1', { numItems: 5, dropout: 1 }, /"dropout" must be in \[0, 1\), got 1/],
    ['negative idDropout', { numItems: 5, idDropout: -0.1 }, /"idDropout" must be in \[0, 1\)/],
    ['unknown positions', { numItems: 5, positions: 'left' }, /"positions" must be "fromEnd" or "fromStart", got "left"/],
    ['unknown block', { numItems: 5, block: 'postLN' }, /"block" must be "preLN" or "sasrec", got "postLN"/],
    ['unknown attentionInit', { numItems: 5, attentionInit: 'kaiming' }, /"attentionInit" must be "initStd" or "xavier", got "kaiming"/],
  ];
  for (const [label, partial, message] of bad) {
    it(`rejects ${label}`, () => {
      let error: unknown;
      try { resolveConfig(partial as { numItems: number }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(LocalRecError);
      expect((error as LocalRecError).code).toBe('INVALID_INPUT');
      expect((error as Error).message).toMatch(message);
    });
  }
});
