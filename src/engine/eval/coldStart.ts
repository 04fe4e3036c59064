import { Rng } from '../train/rng';
import { rankMetrics } from './metrics';
import type { EvalCase } from './rankTargets';
import type { Scorer } from './scorer';

/** History lengths of the user cold-start protocol. */
export const COLD_START_KS = [1, 3, 5, 10] as const;

/** The two numbers the cold-start tables report. */
export interface ColdStartMetrics {
  'NDCG@10': number;
  'HR@10': number;
}

export function coldStartMetrics(ranks: ArrayLike<number>): ColdStartMetrics {
  const m = rankMetrics(ranks);
  return { 'NDCG@10': m['NDCG@10'], 'HR@10': m['HR@10'] };
}

/**
 * User cold start: per user with more than k items, the model sees only the first k and must
 * rank the (k+1)-th; those k items are excluded from the ranking.
 */
export function userColdCases(sequences: readonly ArrayLike<number>[], k: number): EvalCase[] {
  const out: EvalCase[] = [];
  for (const s of sequences) {
    if (s.length <= k) continue;
    const history = Int32Array.from({ length: k }, (_, i) => s[i]);
    out.push({ history, target: s[k], exclude: history });
  }
  return out;
}

/**
 * Item cold start: per user, the newest interaction with a held-out item that has at least one
 * known (not held-out) item before it. The history is the known items before it (held-out items
 * are unknown to the model); every item the user had before it is excluded from the ranking.
 */
export function itemColdCases(sequences: readonly ArrayLike<number>[], heldOut: ReadonlySet<number>): EvalCase[] {
  const out: EvalCase[] = [];
  for (const s of sequences) {
    for (let p = s.length - 1; p >= 1; p--) {
      if (!heldOut.has(s[p])) continue;
      const before = Array.from({ length: p }, (_, i) => s[i]);
      const history = Int32Array.from(before.filter((i) => !heldOut.has(i)));
      if (history.length === 0) break;
      const exclude = Int32Array.from(new Set(before.filter((i) => i !== s[p])));
      out.push({ history, target: s[p], exclude });
      break;
    }
  }
  return out;
}

/** Uniformly random scores (seeded): the chance baseline. */
export function randomScorer(numItems: number, seed: number): Scorer {
  const rng = new Rng(seed);
  const vocab = numItems + 1;
  return {
    name: 'random',
    async score(histories) {
      const out = new Float64Array(histories.length * vocab);
      for (let i = 0; i < out.length; i++) out[i] = rng.next();
      return out;
    },
  };
}
