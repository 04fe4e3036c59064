import * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';

/**
 * The model's item table and the forms ranking reads it in, built once per set of weights and
 * reused by every re-rank until `invalidate()` (call it whenever the weights change). Building
 * the table costs the content-feature product ([vocab, features] @ [features, dim]); the
 * transposed copies exist because tfjs-wasm 4.22 runs a product with `transposeB` 10-15x slower
 * than a plain one (see `model/matmul.ts`). Owns its tensors: `invalidate()` or `dispose()` frees them.
 */
export class ItemTables {
  private readonly model: SasRec;
  private cachedTable: tf.Tensor2D | null = null;
  private cachedTableT: tf.Tensor2D | null = null;
  private cachedUnitT: tf.Tensor2D | null = null;
  /** Bumped by every `invalidate()`: the weights version the cached forms belong to (caches built on them key on it). */
  generation = 0;

  constructor(model: SasRec) {
    this.model = model;
  }

  /** Item vectors [vocab, dim] (ID embedding + content projection), as `SasRec.itemTable()`. */
  table(): tf.Tensor2D {
    this.cachedTable ??= tf.keep(tf.tidy(() => this.model.itemTable()));
    return this.cachedTable;
  }

  /** The table transposed, [dim, vocab]: scores = hidden [batch, dim] @ tableT. */
  tableT(): tf.Tensor2D {
    this.cachedTableT ??= tf.keep(tf.tidy(() => tf.transpose(this.table())));
    return this.cachedTableT;
  }

  /** Unit-length item vectors, transposed [dim, vocab] (cosine similarity = unit rows @ unitT). */
  unitT(): tf.Tensor2D {
    // Columns of the cached transpose scaled to unit length. The squared norms come from a
    // product with a row of ones: a reduction over axis 0 (or a second transpose) costs tfjs-wasm
    // a transpose of the whole table, about 15 ms on the shipped model.
    this.cachedUnitT ??= tf.keep(tf.tidy(() => {
      const t = this.tableT(); // [d, vocab]
      const sq = tf.matMul(tf.ones([1, t.shape[0]]), tf.square(t)); // [1, vocab]
      return tf.div(t, tf.maximum(tf.sqrt(sq), 1e-9)) as tf.Tensor2D;
    }));
    return this.cachedUnitT;
  }

  /** Frees the unit rows only (rebuilt on the next dislike penalty; the table stays). */
  dropUnit(): void {
    this.cachedUnitT?.dispose();
    this.cachedUnitT = null;
  }

  /** Tensors currently held (0 after `invalidate`). */
  get size(): number {
    return [this.cachedTable, this.cachedTableT, this.cachedUnitT].filter((t) => t !== null).length;
  }

  /** Frees the cached tensors; the next read rebuilds them from the current weights. */
  invalidate(): void {
    this.generation++;
    for (const t of [this.cachedTable, this.cachedTableT, this.cachedUnitT]) t?.dispose();
    this.cachedTable = this.cachedTableT = this.cachedUnitT = null;
  }

  dispose(): void {
    this.invalidate();
  }
}

/** Rows scaled to unit length ([n, dim]; an all-zero row stays zero). */
export function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-9)) as tf.Tensor2D);
}
