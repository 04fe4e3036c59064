import type { Rng } from './rng';

/** One training batch in plain arrays (built on the CPU, uploaded by the train step). */
export interface SequenceBatch {
  /** Right-aligned inputs, row-major [batch, len], 0 = padding. */
  seqs: Int32Array;
  batch: number;
  len: number;
  /** Flat indices (row * len + col) of the positions that predict a target. */
  positions: Int32Array;
  /** Target item of each such position. */
  targets: Int32Array;
  /** Optional per-target weight (event types in fine-tuning). */
  weights?: Float32Array;
}

/**
 * Next-item batch from whole sequences: each sequence s (oldest first) gives inputs s[0..n-2]
 * and targets s[1..n-1], keeping the newest `maxLen` steps. Only real positions become targets,
 * so padding costs nothing in the output layer.
 */
export function nextItemBatch(sequences: ArrayLike<number>[], maxLen: number, weights?: ArrayLike<number>[]): SequenceBatch {
  let len = 1;
  for (const s of sequences) len = Math.max(len, Math.min(s.length - 1, maxLen));
  const batch = sequences.length;
  const seqs = new Int32Array(batch * len);
  const positions: number[] = [];
  const targets: number[] = [];
  const w: number[] = [];
  sequences.forEach((s, r) => {
    const steps = Math.min(s.length - 1, len);
    if (steps <= 0) return;
    const start = s.length - 1 - steps; // first input index
    for (let i = 0; i < steps; i++) {
      const col = len - steps + i;
      seqs[r * len + col] = s[start + i];
      positions.push(r * len + col);
      targets.push(s[start + i + 1]);
      if (weights) w.push(weights[r][start + i + 1]);
    }
  });
  return {
    seqs,
    batch,
    len,
    positions: Int32Array.from(positions),
    targets: Int32Array.from(targets),
    weights: weights ? Float32Array.from(w) : undefined,
  };
}

/**
 * Groups sequence indices into batches of similar length so short histories are not padded to
 * the longest one: shuffle, cut into pools of `poolBatches` batches, sort each pool by length,
 * split into batches, shuffle the batch order. Same seed, same batches.
 */
export function bucketedBatches(lengths: number[], batchSize: number, rng: Rng, poolBatches = 32): number[][] {
  const order = rng.shuffle(lengths.map((_, i) => i));
  const batches: number[][] = [];
  const pool = batchSize * poolBatches;
  for (let p = 0; p < order.length; p += pool) {
    const chunk = order.slice(p, p + pool).sort((a, b) => lengths[a] - lengths[b]);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}

/** Unbucketed batches, as the reference code draws them: shuffle everyone, cut in order. */
export function randomBatches(count: number, batchSize: number, rng: Rng): number[][] {
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const batches: number[][] = [];
  for (let b = 0; b < order.length; b += batchSize) batches.push(order.slice(b, b + batchSize));
  return batches;
}

/**
 * Splits one batch into groups of similar length (positions into `lengths`, shortest first), so
 * a random batch is computed as a few nearly unpadded pieces whose gradients are then summed: a
 * group is closed when the next, longer sequence would make more than `maxPadding` of the
 * group's cells padding, once it holds at least `minRows` rows.
 */
export function lengthGroups(lengths: readonly number[], maxPadding = 0.25, minRows = 8): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const groups: number[][] = [];
  let group: number[] = [];
  let real = 0;
  for (const i of order) {
    const len = lengths[i];
    const cells = (group.length + 1) * len;
    if (group.length >= minRows && cells > 0 && 1 - (real + len) / cells > maxPadding) {
      groups.push(group);
      group = [];
      real = 0;
    }
    group.push(i);
    real += len;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
