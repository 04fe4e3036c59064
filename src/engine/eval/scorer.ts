/**
 * Anything that scores the whole catalog for a user's history: the SASRec model or a baseline.
 * Higher is better. Used by the evaluation protocol so every row of a results table is ranked
 * by the same code.
 */
export interface Scorer {
  /** Stable key used in tables and JSON ("sasrec", "most-popular", ...). */
  readonly name: string;
  /**
   * Scores for a batch of histories (dense ids, oldest first), row-major
   * [histories.length, numItems + 1]; column 0 (padding) is ignored.
   */
  score(histories: ArrayLike<number>[]): Promise<Float32Array | Float64Array>;
  /** Preferred batch size (the model wants a few hundred rows, baselines do not care). */
  readonly batchSize?: number;
  dispose?(): void;
}

/** Number of distinct training users per item (index = dense id; 0 unused). */
export function itemUserCounts(train: ArrayLike<number>[], numItems: number): Int32Array {
  const counts = new Int32Array(numItems + 1);
  const lastUser = new Int32Array(numItems + 1).fill(-1);
  train.forEach((seq, u) => {
    for (let k = 0; k < seq.length; k++) {
      const i = seq[k];
      if (lastUser[i] !== u) { lastUser[i] = u; counts[i]++; }
    }
  });
  return counts;
}
