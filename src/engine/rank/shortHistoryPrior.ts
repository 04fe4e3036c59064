/**
 * With only a few items of history the model ranks worse than plain popularity (measured on
 * ML-1M held-out people: most-popular wins up to about 5 items, the model wins clearly from 10;
 * docs/COLD_START.md). For short histories the feed therefore adds a popularity prior that fades
 * out as the history grows.
 */
export interface ShortHistoryPrior {
  /** Strength at an empty history, in standard deviations of the model's scores (0 = off). */
  weight: number;
  /** History length at which the prior has faded to 0. */
  until: number;
}

/** Default fade-out length (history items). */
export const SHORT_HISTORY_UNTIL = 10;

/** Standardised log(1 + popularity) per item (index = item id; index 0 stays 0). */
export function popularityPrior(popularity: ArrayLike<number>): Float32Array {
  const out = new Float32Array(popularity.length);
  const n = popularity.length - 1;
  if (n <= 0) return out;
  let sum = 0, sq = 0;
  for (let i = 1; i <= n; i++) { const v = Math.log1p(Math.max(0, popularity[i])); sum += v; sq += v * v; }
  const mean = sum / n;
  const sd = Math.sqrt(Math.max(0, sq / n - mean * mean)) || 1;
  for (let i = 1; i <= n; i++) out[i] = (Math.log1p(Math.max(0, popularity[i])) - mean) / sd;
  return out;
}

/**
 * scores + weight * max(0, 1 - historyLength / until) * spread * prior, where spread is the
 * standard deviation of the (finite) scores. Returns a new array; index 0 and masked scores
 * (< -1e8) are left as they are.
 */
export function blendShortHistory(scores: Float32Array, historyLength: number, prior: Float32Array, o: ShortHistoryPrior): Float32Array {
  const out = Float32Array.from(scores);
  const fade = o.until > 0 ? Math.max(0, 1 - historyLength / o.until) : 0;
  if (o.weight <= 0 || fade === 0) return out;
  let n = 0, sum = 0, sq = 0;
  for (let i = 1; i < out.length; i++) {
    if (!(out[i] > -1e8)) continue;
    n++; sum += out[i]; sq += out[i] * out[i];
  }
  const spread = n > 1 ? Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2)) : 1;
  const k = o.weight * fade * spread;
  for (let i = 1; i < out.length; i++) if (out[i] > -1e8) out[i] += k * (prior[i] ?? 0);
  return out;
}
