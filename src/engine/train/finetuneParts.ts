import * as tf from '@tensorflow/tfjs';

/*
 * Pieces of one fine-tuning run (`finetune`) that do not depend on the softmax used: packing the
 * person's and the replay rows, reading scalars, and the drift cap.
 */

/** Right-aligned int32 rows, newest `maxLen` items of each sequence. */
export function packRows(rows: readonly (readonly number[])[], maxLen: number): { data: Int32Array; len: number } {
  const len = Math.max(1, ...rows.map((r) => Math.min(r.length, maxLen)));
  const data = new Int32Array(rows.length * len);
  rows.forEach((r, i) => {
    const n = Math.min(r.length, len);
    for (let j = 0; j < n; j++) data[i * len + len - n + j] = r[r.length - n + j];
  });
  return { data, len };
}

/** Next-item training rows packed right-aligned to their own longest length. */
export interface NextItemPart {
  data: Int32Array;
  rows: number;
  len: number;
  /** Flat indices (row * len + col) of positions that predict a target. */
  positions: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
}

export function nextItemPart(
  rows: readonly (readonly number[])[],
  maxLen: number,
  weightOf: (row: number, targetIndex: number) => number,
): NextItemPart {
  const { data, len } = packRows(rows, maxLen);
  const positions: number[] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  rows.forEach((r, i) => {
    const n = Math.min(r.length, len);
    for (let j = 0; j < n - 1; j++) {
      positions.push(i * len + len - n + j);
      targets.push(r[r.length - n + j + 1]);
      weights.push(weightOf(i, r.length - n + j + 1));
    }
  });
  return { data, rows: rows.length, len, positions: Int32Array.from(positions), targets: Int32Array.from(targets), weights: Float32Array.from(weights) };
}

/** Reads a scalar and disposes it, also when the read fails (reads reject once a GPU device is lost). */
export async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

/** Sums a list of tensors pairwise (WebGPU addN with more than 8 inputs returns zeros). */
export function sumAll(ts: tf.Tensor[]): tf.Tensor {
  let acc = ts[0];
  for (let i = 1; i < ts.length; i++) acc = tf.add(acc, ts[i]);
  return acc;
}

/**
 * Pulls the trainable weights back toward the anchor so ||w - w0|| <= maxDrift * ||w0||, and
 * returns the relative drift after it (maxDrift 0 = measure only).
 */
export async function capDrift(
  vars: Map<string, tf.Variable>,
  names: string[],
  anchor: tf.Tensor[],
  anchorNorm: number,
  maxDrift: number,
): Promise<number> {
  const sq = tf.tidy(() => sumAll(names.map((n, i) => tf.sum(tf.square(tf.sub(vars.get(n) as tf.Variable, anchor[i]))))));
  const dist = Math.sqrt(await readScalar(sq));
  const drift = anchorNorm > 0 ? dist / anchorNorm : dist;
  if (maxDrift > 0 && drift > maxDrift) {
    const k = maxDrift / drift;
    tf.tidy(() => names.forEach((n, i) => {
      const v = vars.get(n) as tf.Variable;
      v.assign(tf.add(anchor[i], tf.mul(tf.sub(v, anchor[i]), k)));
    }));
    return maxDrift;
  }
  return drift;
}
