import * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';
import { unitRows, type ItemTables } from './itemTables';

/**
 * How close every item is to the closest of `ids` (disliked item ids, 0 < id < vocab, distinct):
 * `max_k relu(cosine(item, ids[k]))`, [vocab] (index = item id). One [ids, d] @ [d, vocab] product
 * with the cached unit table of `tables` (without it the table is rebuilt and normalised here).
 */
export async function nearSimilarity(model: SasRec, ids: readonly number[], tables: ItemTables | null = null): Promise<Float32Array> {
  const near = tf.tidy(() => {
    const table = tables ? tables.table() : model.itemTable(); // [vocab, d]
    const unitT = tables ? tables.unitT() : tf.transpose(unitRows(table)); // [d, vocab]
    const bad = unitRows(tf.gather(table, tf.tensor1d(Array.from(ids), 'int32')) as tf.Tensor2D); // [nd, d]
    return tf.max(tf.relu(tf.matMul(bad, unitT)), 0); // [vocab]
  });
  try {
    return (await near.data()) as Float32Array;
  } finally {
    near.dispose();
  }
}

/**
 * The dislike penalty's similarity vector (`nearSimilarity`) of the last disliked set, kept across
 * re-ranks (issue 25: at 100,000 items the product over the whole unit table was about half of a
 * re-rank, and most interactions, a like or a view, do not change the disliked set):
 * - the same set: the kept vector, no tfjs work;
 * - the kept set plus new ids (a new dislike): only the new ids' rows are multiplied, then the
 *   element-wise max with the kept vector (max is exact, so the result equals a full recompute);
 * - any other set (an item un-disliked, e.g. liked after a dislike): recomputed from scratch.
 *
 * Keyed by the weights: with `tables` the key is `tables.generation` (bumped by
 * `ItemTables.invalidate()`, which the owner calls whenever the weights change); without tables
 * the owner must call `clear()` when the weights change. Holds no tensors. The vectors it returns
 * are shared: do not modify them.
 */
export class NearDislikedCache {
  private entry: { model: SasRec; tables: ItemTables | null; generation: number; ids: ReadonlySet<number>; sim: Float32Array } | null = null;
  /** Similarity vectors served: kept as they were, extended by new ids, computed from scratch (for tests and benchmarks). */
  readonly counts = { hits: 0, partial: 0, full: 0 };

  /** `nearSimilarity(model, ids, tables)`, from the kept vector where it allows. */
  async similarity(model: SasRec, ids: readonly number[], tables: ItemTables | null = null): Promise<Float32Array> {
    const generation = tables?.generation ?? 0;
    const e = this.entry;
    const current = e !== null && e.model === model && e.tables === tables && e.generation === generation && e.sim.length === model.config.numItems + 1;
    const added = current ? ids.filter((id) => !e.ids.has(id)) : null;
    let sim: Float32Array;
    if (current && added && ids.length - added.length === e.ids.size) { // every kept id is still disliked
      if (added.length === 0) {
        this.counts.hits++;
        return e.sim;
      }
      this.counts.partial++;
      const fresh = await nearSimilarity(model, added, tables);
      const kept = e.sim;
      for (let i = 0; i < fresh.length; i++) if (kept[i] > fresh[i]) fresh[i] = kept[i];
      sim = fresh;
    } else {
      this.counts.full++;
      sim = await nearSimilarity(model, ids, tables);
    }
    // Kept for the next call unless the weights changed meanwhile (a newer entry of the same weights is as good).
    if ((tables?.generation ?? 0) === generation) this.entry = { model, tables, generation, ids: new Set(ids), sim };
    return sim;
  }

  /** Forgets the kept vector (the weights changed, or to free its memory). */
  clear(): void {
    this.entry = null;
  }
}
