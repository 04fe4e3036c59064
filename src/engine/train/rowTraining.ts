import * as tf from '@tensorflow/tfjs';
import { featureProduct } from '../model/featureProduct';
import type { SasRec } from '../model/sasrec';
import type { AdamState } from './adam';
import { rowsInOrder } from './sparseRows';

/**
 * The item rows one fine-tuning run on a large catalog works with (sampled softmax): the
 * person's, replay and validation items, the sampled negatives and every row an earlier run
 * changed. Their ID embeddings are trained as a [rows, dim] variable, so no step touches the
 * [items, dim] table (no dense gradient, no dense Adam moments); `writeBack` puts them into the
 * model's `item_emb` at the end. Sequences are rewritten to local row numbers (`local`), so the
 * model's own `encode` runs unchanged on the small table. `dispose()` frees every tensor.
 */
export class TrainedRows {
  /** Global item ids, sorted, row 0 (padding) first. */
  readonly ids: Int32Array;
  /** The rows' ID embeddings: a variable when `item_emb` is trained, else a constant. */
  readonly rows: tf.Variable;
  private readonly model: SasRec;
  private readonly localOf = new Map<number, number>();
  private readonly idsT: tf.Tensor2D; // [rows, 1] int32, for scatters
  private readonly featureRows: tf.Tensor2D | null; // [rows, numFeatures]

  constructor(model: SasRec, ids: Int32Array, trainable: boolean) {
    this.model = model;
    this.ids = ids;
    ids.forEach((id, k) => this.localOf.set(id, k));
    this.idsT = tf.tensor2d(ids, [ids.length, 1], 'int32');
    this.rows = tf.tidy(() => tf.variable(tf.gatherND(model.w('item_emb'), this.idsT), trainable));
    this.featureRows = model.features && model.config.numFeatures > 0
      ? tf.tidy(() => tf.gatherND(model.features as tf.Tensor2D, this.idsT) as tf.Tensor2D)
      : null;
  }

  /** Global ids -> local row numbers (every id must be one of `ids`). */
  local(global: ArrayLike<number>): Int32Array {
    const out = new Int32Array(global.length);
    for (let i = 0; i < global.length; i++) {
      const k = this.localOf.get(global[i]);
      if (k === undefined) throw new Error(`TrainedRows: item ${global[i]} is not among the run's rows`);
      out[i] = k;
    }
    return out;
  }

  /** Rows `ids` of another [items, dim] table (e.g. the pretrained `item_emb`): [rows, dim]. */
  gatherFrom(table: tf.Tensor): tf.Tensor2D {
    return tf.gatherND(table, this.idsT) as tf.Tensor2D;
  }

  /** Item vectors of the rows [rows, dim]: ID embedding (+ content projection), like `SasRec.itemTable`. */
  table(): tf.Tensor2D {
    return tf.tidy(() => {
      if (!this.featureRows) return tf.clone(this.rows) as tf.Tensor2D;
      return tf.add(this.rows, featureProduct(this.featureRows, this.model.w('feat_emb') as tf.Tensor2D)) as tf.Tensor2D;
    });
  }

  /** `rows` ([rows, dim]) written over the model's `item_emb`: the whole [items, dim] ID table. */
  expand(rows: tf.Tensor): tf.Tensor2D {
    return tf.tensorScatterUpdate(this.model.w('item_emb'), this.idsT, rows) as tf.Tensor2D;
  }

  /** The whole item table [items, dim] with the current rows (validation ranks the whole catalog). */
  fullTable(): tf.Tensor2D {
    return tf.tidy(() => {
      const ids = this.expand(this.rows);
      if (!this.model.features || this.model.config.numFeatures === 0) return ids;
      return tf.add(ids, featureProduct(this.model.features, this.model.w('feat_emb') as tf.Tensor2D)) as tf.Tensor2D;
    });
  }

  /** Puts the rows into the model's `item_emb` (end of the run). */
  writeBack(): void {
    tf.tidy(() => this.model.w('item_emb').assign(this.expand(this.rows)));
  }

  /** Adam state for the run's variables: `item_emb` moments as these rows (from stored rows or a dense state). */
  localState(state: AdamState, dim: number): AdamState {
    const m = { ...state.m };
    const v = { ...state.v };
    const stored = state.rows?.item_emb;
    if (stored) {
      m.item_emb = rowsInOrder(stored.ids, stored.m, this.ids, dim);
      v.item_emb = rowsInOrder(stored.ids, stored.v, this.ids, dim);
    } else if (state.m.item_emb && state.v.item_emb) {
      const all = Int32Array.from({ length: state.m.item_emb.length / dim }, (_, i) => i);
      m.item_emb = rowsInOrder(all, state.m.item_emb, this.ids, dim);
      v.item_emb = rowsInOrder(all, state.v.item_emb, this.ids, dim);
    }
    return { step: state.step, m, v };
  }

  /** The run's Adam state as stored: `item_emb` moments moved to `rows` (padding row left out). */
  storedState(state: AdamState): AdamState {
    const { item_emb: m, ...restM } = state.m;
    const { item_emb: v, ...restV } = state.v;
    if (!m || !v) return state;
    const dim = m.length / this.ids.length;
    const from = this.ids[0] === 0 ? 1 : 0;
    return {
      step: state.step, m: restM, v: restV,
      rows: { item_emb: { ids: this.ids.slice(from), m: m.slice(from * dim), v: v.slice(from * dim) } },
    };
  }

  dispose(): void {
    this.rows.dispose();
    this.idsT.dispose();
    this.featureRows?.dispose();
  }
}

/** Ids of the rows where `current` differs from `base` (both [rows, dim]), ascending. */
export async function changedRowIds(current: tf.Tensor, base: tf.Tensor): Promise<Int32Array> {
  const differs = tf.tidy(() => tf.any(tf.notEqual(current, base), 1));
  try {
    const flags = await differs.data();
    const out: number[] = [];
    for (let i = 0; i < flags.length; i++) if (flags[i]) out.push(i);
    return Int32Array.from(out);
  } finally {
    differs.dispose();
  }
}
