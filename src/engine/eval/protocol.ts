import { Rng } from '../train/rng';
import { catalogCoverage, intraListDiversity, novelty, rankMetrics } from './metrics';
import type { EvalCase } from './rankTargets';
import type { Scorer } from './scorer';

/** Ranks of every case's target under one scorer. */
export interface ScorerRanks {
  /** 0-based rank among all non-excluded items; ties count against the target. */
  ranks: Int32Array;
  /** Top-`topK` non-excluded items per case, best first, in the same tie order as `ranks`. */
  top: Int32Array[];
  /** 0-based rank among the case's sampled negatives (only when negatives were given). */
  sampledRanks: Int32Array | null;
}

/** Options of `rankCases`. */
export interface RankOptions {
  numItems: number;
  /** Length of the `top` lists (default 100; 0 for none). */
  topK?: number;
  /** Per case, the sampled negatives of the sampled protocol. */
  negatives?: Int32Array[];
  /** Called after each batch with the number of cases done. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * 0-based rank of `target` in one score row: the number of non-excluded items j != target with
 * score >= the target's. Ties count against the target, so a constant scorer gets no credit;
 * a NaN target score ranks last (a broken model must not look perfect).
 */
export function targetRank(row: ArrayLike<number>, target: number, excluded: Uint8Array): number {
  const t = row[target];
  const nan = Number.isNaN(t);
  let rank = 0;
  for (let j = 1; j < row.length; j++) if (j !== target && !excluded[j] && (nan || row[j] >= t)) rank++;
  return rank;
}

/**
 * The k best non-excluded items of a row, best first. Equal scores: lower id first, except that
 * `target` goes after every item it ties with, so its position here equals `targetRank`.
 */
export function topKItems(row: ArrayLike<number>, k: number, excluded: Uint8Array, target: number): Int32Array {
  const ids: number[] = [];
  // a ranks before b
  const v = (j: number) => (Number.isNaN(row[j]) ? Number.NEGATIVE_INFINITY : row[j]);
  const before = (a: number, b: number) => v(a) > v(b) || (v(a) === v(b) && (b === target || (a !== target && a < b)));
  for (let j = 1; j < row.length; j++) {
    if (excluded[j] && j !== target) continue;
    if (ids.length === k && !before(j, ids[k - 1])) continue;
    if (ids.length === k) ids.pop();
    let p = ids.length;
    ids.push(j);
    while (p > 0 && before(j, ids[p - 1])) { ids[p] = ids[p - 1]; p--; }
    ids[p] = j;
  }
  return Int32Array.from(ids);
}

/**
 * Full-catalog ranking of each case's target under `scorer` (items in `exclude` removed, target
 * kept), batched with histories sorted by length; optionally also the sampled-protocol rank.
 */
export async function rankCases(scorer: Scorer, cases: EvalCase[], opts: RankOptions): Promise<ScorerRanks> {
  const vocab = opts.numItems + 1;
  const topK = opts.topK ?? 100;
  const batchSize = scorer.batchSize ?? 256;
  const ranks = new Int32Array(cases.length);
  const sampledRanks = opts.negatives ? new Int32Array(cases.length) : null;
  const top: Int32Array[] = new Array(cases.length);
  const order = cases.map((_, i) => i).sort((a, b) => cases[a].history.length - cases[b].history.length);
  const excluded = new Uint8Array(vocab);
  for (let s = 0; s < order.length; s += batchSize) {
    const idx = order.slice(s, s + batchSize);
    const scores = await scorer.score(idx.map((i) => cases[i].history));
    idx.forEach((ci, r) => {
      const c = cases[ci];
      const row = scores.subarray(r * vocab, (r + 1) * vocab);
      for (let j = 0; j < c.exclude.length; j++) excluded[c.exclude[j]] = 1;
      excluded[c.target] = 0;
      ranks[ci] = targetRank(row, c.target, excluded);
      top[ci] = topK > 0 ? topKItems(row, topK, excluded, c.target) : new Int32Array(0);
      for (let j = 0; j < c.exclude.length; j++) excluded[c.exclude[j]] = 0;
      const negs = opts.negatives?.[ci];
      if (sampledRanks && negs) {
        const t = row[c.target];
        let rank = 0;
        for (let j = 0; j < negs.length; j++) if (Number.isNaN(t) || row[negs[j]] >= t) rank++;
        sampledRanks[ci] = rank;
      }
    });
    opts.onProgress?.(Math.min(s + batchSize, order.length), order.length);
  }
  return { ranks, top, sampledRanks };
}

/**
 * Negatives of the older sampled protocol: per case `count` distinct items drawn uniformly from
 * the items the user never interacted with (not in `exclude`, not the target), seeded.
 * When fewer are available, all of them.
 */
export function sampleNegatives(cases: EvalCase[], numItems: number, count = 100, seed = 42): Int32Array[] {
  const rng = new Rng(seed);
  const taken = new Uint8Array(numItems + 1);
  return cases.map((c) => {
    for (let j = 0; j < c.exclude.length; j++) taken[c.exclude[j]] = 1;
    taken[c.target] = 1;
    let free = 0;
    for (let j = 1; j <= numItems; j++) if (!taken[j]) free++;
    const out: number[] = [];
    const want = Math.min(count, free);
    while (out.length < want) {
      const j = rng.int(1, numItems + 1);
      if (taken[j]) continue;
      taken[j] = 2;
      out.push(j);
    }
    taken.fill(0);
    return Int32Array.from(out);
  });
}

/** What the beyond-accuracy metrics need to know about the catalog and the training split. */
export interface BeyondAccuracyContext {
  numItems: number;
  /** Distinct training users per item (`itemUserCounts`). */
  itemUserCounts: ArrayLike<number>;
  /** Number of training users (denominator of popularity). */
  numUsers: number;
  /** Genres of a dense item id, or null when there is no catalog (ILD is then null). */
  genresOf: ((item: number) => readonly string[]) | null;
}

/** Metric values by name; null where a metric cannot be computed (ILD without genres). */
export type MetricValues = Record<string, number | null>;

/**
 * Leave-one-out full-ranking metrics of one scorer: HR@5/10/20, NDCG@5/10/20, MRR from the
 * ranks, and coverage@K, novelty@K, ild@K from the top-K lists (K = 10 by default).
 */
export function looMetrics(result: ScorerRanks, ctx: BeyondAccuracyContext, k = 10): MetricValues {
  const lists = result.top.map((t) => t.subarray(0, k));
  const out: MetricValues = { ...rankMetrics(result.ranks) };
  out[`coverage@${k}`] = catalogCoverage(lists, ctx.numItems);
  out[`novelty@${k}`] = novelty(lists, ctx.itemUserCounts, ctx.numUsers);
  const genresOf = ctx.genresOf;
  if (genresOf) {
    let sum = 0;
    for (const l of lists) sum += intraListDiversity(l, genresOf);
    out[`ild@${k}`] = lists.length ? sum / lists.length : 0;
  } else {
    out[`ild@${k}`] = null;
  }
  return out;
}
