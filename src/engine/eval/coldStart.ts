import { interleaveNewItems, type NewItemSlots } from '../rank/newItemSlots';
import { Rng } from '../train/rng';
import { rankMetrics } from './metrics';
import { topKItems } from './protocol';
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
    const c = newestCase(s, heldOut, (i) => heldOut.has(i));
    if (c) out.push(c);
  }
  return out;
}

/**
 * Ordinary (warm) targets of the same users as `itemColdCases`: per user who has an item
 * cold-start case, the newest interaction with a known item that has a known item before it;
 * history and exclusions as there. What the new-item slots cost on everyday recommendations.
 */
export function itemWarmCases(sequences: readonly ArrayLike<number>[], heldOut: ReadonlySet<number>): EvalCase[] {
  const out: EvalCase[] = [];
  for (const s of sequences) {
    if (!newestCase(s, heldOut, (i) => heldOut.has(i))) continue;
    const c = newestCase(s, heldOut, (i) => !heldOut.has(i));
    if (c) out.push(c);
  }
  return out;
}

/** The newest position whose item passes `isTarget`, with its known (not held-out) items before it as history. */
function newestCase(s: ArrayLike<number>, heldOut: ReadonlySet<number>, isTarget: (item: number) => boolean): EvalCase | null {
  for (let p = s.length - 1; p >= 1; p--) {
    if (!isTarget(s[p])) continue;
    const before = Array.from({ length: p }, (_, i) => s[i]);
    const history = Int32Array.from(before.filter((i) => !heldOut.has(i)));
    if (history.length === 0) return null; // earlier positions have no known item before them either
    const exclude = Int32Array.from(new Set(before.filter((i) => i !== s[p])));
    return { history, target: s[p], exclude };
  }
  return null;
}

/**
 * Feed positions (0-based) of each case's target in the feed with new-item slots, for each of
 * `settings`: the non-new items ranked by score fill the ordinary positions, `newItems` ranked by
 * score among themselves fill the slots (`interleaveNewItems`, the feed's own function); a case's
 * `exclude` items are removed from both. Scores are computed once per case. Only the first `depth`
 * positions are built: a target further down is reported at `depth` (enough for metrics @depth).
 * Ties count against the target, as in `targetRank`.
 */
export async function slotFeedRanks(
  scorer: Scorer,
  cases: readonly EvalCase[],
  numItems: number,
  newItems: ReadonlySet<number>,
  settings: readonly Readonly<NewItemSlots>[],
  depth = 10,
): Promise<Int32Array[]> {
  const vocab = numItems + 1;
  const out = settings.map(() => new Int32Array(cases.length));
  const isNew = new Uint8Array(vocab);
  for (const i of newItems) if (i > 0 && i < vocab) isNew[i] = 1;
  const notNew = isNew.map((v) => 1 - v);
  const batchSize = scorer.batchSize ?? 256;
  for (let s = 0; s < cases.length; s += batchSize) {
    const batch = cases.slice(s, s + batchSize);
    const scores = await scorer.score(batch.map((c) => c.history));
    batch.forEach((c, r) => {
      const row = scores.subarray(r * vocab, (r + 1) * vocab);
      const exWarm = isNew.slice();
      const exNew = notNew.slice();
      exNew[0] = 1;
      for (let j = 0; j < c.exclude.length; j++) { exWarm[c.exclude[j]] = 1; exNew[c.exclude[j]] = 1; }
      const targetIsNew = isNew[c.target] === 1;
      const cards = (ids: Int32Array) => Array.from(ids, (itemId) => ({ itemId }));
      const warmTop = cards(topKItems(row, depth, exWarm, targetIsNew ? -1 : c.target));
      const newTop = cards(topKItems(row, depth, exNew, targetIsNew ? c.target : -1));
      settings.forEach((slots, k) => {
        const feed = interleaveNewItems(warmTop, newTop, slots).slice(0, depth);
        const at = feed.findIndex((x) => x.itemId === c.target);
        out[k][s + r] = at < 0 ? depth : at;
      });
    });
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
