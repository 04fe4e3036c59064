/** Ranking metrics of one target at 0-based `rank` (0 = top of the list). */
export function hitAt(rank: number, k: number): number {
  return rank < k ? 1 : 0;
}
export function ndcgAt(rank: number, k: number): number {
  return rank < k ? 1 / Math.log2(rank + 2) : 0;
}
export function reciprocalRank(rank: number): number {
  return 1 / (rank + 1);
}

export const CUTOFFS = [5, 10, 20] as const;

/** HR@K, NDCG@K for K = 5, 10, 20 and MRR, averaged over targets. */
export function rankMetrics(ranks: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  const n = ranks.length;
  for (const k of CUTOFFS) {
    let hr = 0;
    let ndcg = 0;
    for (let i = 0; i < n; i++) { hr += hitAt(ranks[i], k); ndcg += ndcgAt(ranks[i], k); }
    out[`HR@${k}`] = n ? hr / n : 0;
    out[`NDCG@${k}`] = n ? ndcg / n : 0;
  }
  let mrr = 0;
  for (let i = 0; i < n; i++) mrr += reciprocalRank(ranks[i]);
  out.MRR = n ? mrr / n : 0;
  return out;
}

/** Share of catalog items (1..numItems) that appear in at least one list. */
export function catalogCoverage(lists: ArrayLike<number>[], numItems: number): number {
  const seen = new Uint8Array(numItems + 1);
  let count = 0;
  for (const l of lists) for (let i = 0; i < l.length; i++) if (!seen[l[i]]) { seen[l[i]] = 1; count++; }
  return numItems ? count / numItems : 0;
}

/**
 * Mean self-information -log2(p(i)) of recommended items, with p(i) = share of users who
 * interacted with i (popularity); unseen items get a count of 1 (avoids infinity).
 */
export function novelty(lists: ArrayLike<number>[], itemUserCounts: ArrayLike<number>, numUsers: number): number {
  let sum = 0;
  let n = 0;
  for (const l of lists) for (let i = 0; i < l.length; i++) {
    sum += -Math.log2(Math.max(itemUserCounts[l[i]], 1) / numUsers);
    n++;
  }
  return n ? sum / n : 0;
}

/** Jaccard distance of two genre sets (1 when both are empty is avoided: 0). */
export function genreDistance(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 0;
  const sa = new Set(a);
  let inter = 0;
  for (const g of new Set(b)) if (sa.has(g)) inter++;
  const union = sa.size + new Set(b).size - inter;
  return 1 - inter / union;
}

/** Intra-list diversity: mean pairwise genre (Jaccard) distance within a list. */
export function intraListDiversity(list: ArrayLike<number>, genresOf: (item: number) => readonly string[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
    sum += genreDistance(genresOf(list[i]), genresOf(list[j]));
    pairs++;
  }
  return pairs ? sum / pairs : 0;
}
