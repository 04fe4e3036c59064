import { itemUserCounts, type Scorer } from './scorer';

/**
 * Weight of the popularity back-off added to the transition and kNN scores: far below their
 * smallest non-zero score, so popularity only orders items those models leave tied (Float64).
 */
const BACKOFF = 1e-9;

function popularityBackoff(counts: Int32Array): Float64Array {
  let max = 1;
  for (const c of counts) if (c > max) max = c;
  return Float64Array.from(counts, (c) => (BACKOFF * c) / max);
}

/** Fills one score row per history with `fill(history, row)`. */
function rowScorer(name: string, numItems: number, fill: (history: ArrayLike<number>, row: Float64Array) => void): Scorer {
  const vocab = numItems + 1;
  return {
    name,
    async score(histories) {
      const out = new Float64Array(histories.length * vocab);
      histories.forEach((h, r) => fill(h, out.subarray(r * vocab, (r + 1) * vocab)));
      return out;
    },
  };
}

/**
 * Most-popular: every user gets items ordered by the number of training users who interacted
 * with them.
 */
export function mostPopularScorer(train: ArrayLike<number>[], numItems: number): Scorer {
  const counts = Float64Array.from(itemUserCounts(train, numItems));
  return rowScorer('most-popular', numItems, (_, row) => row.set(counts));
}

export interface TransitionOptions {
  /** How many of the newest history items vote (default 3). */
  window?: number;
  /** Weight of the k-th newest item is decay^k (default 0.5). */
  decay?: number;
}

/**
 * Item-to-item transitions (a first-order Markov chain): P(j | i) estimated from how often j
 * directly follows i in the training sequences. A history scores
 * sum_k decay^k * P(j | k-th newest item); ties broken by popularity.
 */
export function itemTransitionScorer(train: ArrayLike<number>[], numItems: number, opts: TransitionOptions = {}): Scorer {
  const window = opts.window ?? 3;
  const decay = opts.decay ?? 0.5;
  const vocab = numItems + 1;
  const probs = new Float32Array(vocab * vocab); // [from, to], rows normalised to sum 1
  for (const s of train) for (let k = 1; k < s.length; k++) probs[s[k - 1] * vocab + s[k]]++;
  for (let i = 1; i < vocab; i++) {
    const row = probs.subarray(i * vocab, (i + 1) * vocab);
    let sum = 0;
    for (const v of row) sum += v;
    if (sum > 0) for (let j = 0; j < vocab; j++) row[j] /= sum;
  }
  const backoff = popularityBackoff(itemUserCounts(train, numItems));
  return rowScorer('item-to-item', numItems, (h, row) => {
    row.set(backoff);
    let w = 1;
    for (let k = 0; k < window && k < h.length; k++, w *= decay) {
      const from = h[h.length - 1 - k];
      const p = probs.subarray(from * vocab, (from + 1) * vocab);
      for (let j = 1; j < vocab; j++) row[j] += w * p[j];
    }
  });
}

export interface ItemKnnOptions {
  /**
   * Only the newest `window` history items vote (default 3: best validation HR@10 on ML-1M and
   * ML-100K among 1, 2, 3, 5, 10; with the whole history, popular items dominate).
   */
  window?: number;
}

/**
 * Item-kNN: cosine similarity of items' training-user sets,
 * sim(i, j) = |users(i) ∩ users(j)| / sqrt(|users(i)| |users(j)|); a history scores
 * sum over its distinct items i of sim(i, j); ties broken by popularity.
 */
export function itemKnnScorer(train: ArrayLike<number>[], numItems: number, opts: ItemKnnOptions = {}): Scorer {
  const window = opts.window ?? 3;
  const vocab = numItems + 1;
  const sim = new Float32Array(vocab * vocab);
  const counts = itemUserCounts(train, numItems);
  const mark = new Int32Array(vocab).fill(-1);
  const items: number[] = [];
  train.forEach((s, u) => {
    items.length = 0;
    for (let k = 0; k < s.length; k++) if (mark[s[k]] !== u) { mark[s[k]] = u; items.push(s[k]); }
    for (let a = 0; a < items.length; a++) {
      const base = items[a] * vocab;
      for (let b = 0; b < items.length; b++) if (a !== b) sim[base + items[b]]++;
    }
  });
  for (let i = 1; i < vocab; i++) {
    if (counts[i] === 0) continue;
    for (let j = 1; j < vocab; j++) {
      const c = sim[i * vocab + j];
      if (c > 0) sim[i * vocab + j] = c / Math.sqrt(counts[i] * counts[j]);
    }
  }
  const backoff = popularityBackoff(counts);
  const seen = new Int32Array(vocab);
  let stamp = 0;
  return rowScorer('item-knn', numItems, (h, row) => {
    row.set(backoff);
    stamp++;
    for (let k = h.length - 1; k >= 0 && k >= h.length - window; k--) {
      const i = h[k];
      if (seen[i] === stamp) continue;
      seen[i] = stamp;
      const s = sim.subarray(i * vocab, (i + 1) * vocab);
      for (let j = 1; j < vocab; j++) row[j] += s[j];
    }
  });
}
