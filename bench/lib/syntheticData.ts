import { Rng } from '../../src/engine/train/rng';

/** Shape of MovieLens-1M as used for SASRec (ml-1m_sas.txt): users, items, sequence lengths. */
export const ML1M_SHAPE = {
  users: 6040,
  items: 3416,
  /** Per-user history lengths: median ~96, mean ~165, at least 20, at most 2314. */
  medianLength: 96,
  meanLength: 165,
  minLength: 20,
  maxLength: 2314,
} as const;

function normal(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Synthetic sequences with ML-1M-like lengths (log-normal fitted to median and mean, clamped to
 * the real min/max) and Zipf-distributed item popularity. Content is random: this data is for
 * timing only, never for accuracy.
 */
export function ml1mLikeSequences(users: number, seed: number, numItems: number = ML1M_SHAPE.items): Int32Array[] {
  const rng = new Rng(seed);
  const mu = Math.log(ML1M_SHAPE.medianLength);
  const sigma = Math.sqrt(2 * Math.log(ML1M_SHAPE.meanLength / ML1M_SHAPE.medianLength));
  const cdf = new Float64Array(numItems);
  let total = 0;
  for (let i = 0; i < numItems; i++) cdf[i] = total += 1 / (i + 1);
  const drawItem = () => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = numItems - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const out: Int32Array[] = [];
  for (let u = 0; u < users; u++) {
    const len = Math.round(Math.min(ML1M_SHAPE.maxLength, Math.max(ML1M_SHAPE.minLength, Math.exp(mu + sigma * normal(rng)))));
    const s = new Int32Array(len);
    for (let i = 0; i < len; i++) s[i] = drawItem();
    out.push(s);
  }
  return out;
}
