import { resolveConfig, type SasRecConfig } from '../model/config';
import { Rng } from '../train/rng';

/** A model small enough for unit tests (milliseconds per step on one core), no dropout. */
export function tinyConfig(overrides: Partial<SasRecConfig> = {}): SasRecConfig {
  return resolveConfig({ numItems: 20, maxLen: 8, dim: 16, blocks: 2, heads: 2, ffnDim: 32, dropout: 0, ...overrides });
}

/**
 * Sequences that follow a planted rule: each starts at a random item and item i is always
 * followed by item i+1 (wrapping from numItems back to 1). A model that learned the rule
 * predicts the next item with certainty, so HR@1 approaches 1.
 */
export function plantedRuleSequences(opts: { numItems: number; numUsers: number; minLen: number; maxLen: number; seed: number }): Int32Array[] {
  const rng = new Rng(opts.seed);
  const out: Int32Array[] = [];
  for (let u = 0; u < opts.numUsers; u++) {
    const len = rng.int(opts.minLen, opts.maxLen + 1);
    const start = rng.int(1, opts.numItems + 1);
    const s = new Int32Array(len);
    for (let i = 0; i < len; i++) s[i] = ((start - 1 + i) % opts.numItems) + 1;
    out.push(s);
  }
  return out;
}

/** Uniformly random sequences of items 1..numItems with lengths in [minLen, maxLen]. */
export function randomSequences(opts: { numItems: number; numUsers: number; minLen: number; maxLen: number; seed: number }): Int32Array[] {
  const rng = new Rng(opts.seed);
  const out: Int32Array[] = [];
  for (let u = 0; u < opts.numUsers; u++) {
    const s = new Int32Array(rng.int(opts.minLen, opts.maxLen + 1));
    for (let i = 0; i < s.length; i++) s[i] = rng.int(1, opts.numItems + 1);
    out.push(s);
  }
  return out;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
