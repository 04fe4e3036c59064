/**
 * Accuracy of one ranked list against several relevant items (the person's next interactions):
 * HR@K = 1 when any relevant item is in the top K; NDCG@K with binary relevance, normalised by
 * the ideal DCG of min(K, |relevant|) hits.
 */
export function multiTargetMetrics(top: ArrayLike<number>, relevant: readonly number[], k: number): { hr: number; ndcg: number } {
  if (relevant.length === 0) return { hr: 0, ndcg: 0 };
  const rel = new Set(relevant);
  let dcg = 0;
  let hit = 0;
  for (let i = 0; i < Math.min(k, top.length); i++) {
    if (rel.has(top[i])) {
      dcg += 1 / Math.log2(i + 2);
      hit = 1;
    }
  }
  let idcg = 0;
  for (let i = 0; i < Math.min(k, rel.size); i++) idcg += 1 / Math.log2(i + 2);
  return { hr: hit, ndcg: dcg / idcg };
}

/** How many of `items` are in the first `k` of `top`. */
export function countInTop(top: ArrayLike<number>, items: readonly number[], k: number): number {
  const set = new Set(items);
  let n = 0;
  for (let i = 0; i < Math.min(k, top.length); i++) if (set.has(top[i])) n++;
  return n;
}

/**
 * The best `k` item ids of `scores` (index = item id; index 0 is padding), skipping `exclude`.
 * Ties go to the smaller id, as in the feed.
 */
export function topK(scores: ArrayLike<number>, k: number, exclude: ReadonlySet<number>): number[] {
  const best: number[] = [];
  for (let id = 1; id < scores.length; id++) {
    if (exclude.has(id)) continue;
    const s = scores[id];
    if (best.length === k && s <= scores[best[k - 1]]) continue;
    let pos = best.length;
    while (pos > 0 && scores[best[pos - 1]] < s) pos--;
    best.splice(pos, 0, id);
    if (best.length > k) best.pop();
  }
  return best;
}
