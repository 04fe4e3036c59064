import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../../model/gatherRows';
import type { NumericsValues } from './compareNumbers';

/**
 * Row gathers and scatter-adds with many repeated indices, checked against sums computed here in
 * float64. These are the kernels that carry embedding gradients: `gatherRows` (the engine's, via
 * ScatterNd), tf.gather's own gradient (UnsortedSegmentSum, tfjs issue #8174 on WebGPU) and the two
 * kernels called directly.
 */
export interface OpCase {
  rows: number;
  dim: number;
  /** Row index per update; most rows repeat many times. */
  indices: Int32Array;
  /** [indices.length, dim] values added into the rows. */
  updates: Float32Array;
  /** [rows, dim] table gathered from. */
  table: Float32Array;
}

/** 512 updates into 16 rows of 32 (each row hit ~32 times, so racing adds would show). */
export function makeOpCase(rows = 16, dim = 32, count = 512): OpCase {
  const indices = new Int32Array(count);
  for (let i = 0; i < count; i++) indices[i] = (i * 7 + (i >> 3)) % rows;
  const updates = new Float32Array(count * dim);
  for (let i = 0; i < updates.length; i++) updates[i] = Math.sin(i * 0.37) * (1 + (i % 5));
  const table = new Float32Array(rows * dim);
  for (let i = 0; i < table.length; i++) table[i] = Math.cos(i * 0.11);
  return { rows, dim, indices, updates, table };
}

/** Sum of the updates of each row, in float64 (the exact answer of every scatter-add below). */
export function scatterAddReference(c: OpCase): Float32Array {
  const out = new Float64Array(c.rows * c.dim);
  c.indices.forEach((r, i) => {
    for (let j = 0; j < c.dim; j++) out[r * c.dim + j] += c.updates[i * c.dim + j];
  });
  return Float32Array.from(out);
}

/** Rows of the table at the indices (the exact answer of every gather below). */
export function gatherReference(c: OpCase): Float32Array {
  const out = new Float32Array(c.indices.length * c.dim);
  c.indices.forEach((r, i) => out.set(c.table.subarray(r * c.dim, (r + 1) * c.dim), i * c.dim));
  return out;
}

/** Entry names of `runOpChecks`, each with the reference it must match. */
export function opReferences(c: OpCase): NumericsValues {
  const sums = scatterAddReference(c);
  return {
    'op/gatherRows': gatherReference(c),
    'op/gatherRows-grad (scatterND)': sums,
    'op/gather-grad (unsortedSegmentSum)': sums,
    'op/scatterND': sums,
    'op/unsortedSegmentSum': sums,
  };
}

/**
 * Runs the ops on the active backend. A kernel the backend lacks (WASM has no
 * UnsortedSegmentSum) is listed in `unsupported` instead of failing the run.
 */
export async function runOpChecks(c: OpCase): Promise<{ values: NumericsValues; unsupported: Record<string, string> }> {
  const values: NumericsValues = {};
  const unsupported: Record<string, string> = {};
  const table = tf.tensor2d(c.table, [c.rows, c.dim]);
  const idx = tf.tensor1d(c.indices, 'int32');
  const upd = tf.tensor2d(c.updates, [c.indices.length, c.dim]);
  const attempt = async (name: string, f: () => tf.Tensor): Promise<void> => {
    let t: tf.Tensor | null = null;
    try {
      t = tf.tidy(f);
      values[name] = (await t.data()) as Float32Array;
    } catch (err) {
      unsupported[name] = err instanceof Error ? err.message : String(err);
    } finally {
      t?.dispose();
    }
  };
  // d/dtable sum(gather(table, idx) * upd) = the updates scatter-added into their rows.
  const gradOf = (gather: (t: tf.Tensor2D) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gather(t as tf.Tensor2D), upd)));
  try {
    await attempt('op/gatherRows', () => gatherRows(table, idx));
    await attempt('op/gatherRows-grad (scatterND)', () => gradOf((t) => gatherRows(t, idx))(table));
    await attempt('op/gather-grad (unsortedSegmentSum)', () => gradOf((t) => tf.gather(t, idx))(table));
    await attempt('op/scatterND', () => tf.scatterND(tf.expandDims(idx, 1), upd, [c.rows, c.dim]));
    await attempt('op/unsortedSegmentSum', () => tf.unsortedSegmentSum(upd, idx, c.rows));
  } finally {
    tf.dispose([table, idx, upd]);
  }
  return { values, unsupported };
}
