import * as tf from '@tensorflow/tfjs';
import { NEG_INF } from '../model/layers';
import { packSequences, type SasRec } from '../model/sasrec';
import type { ItemTables } from './itemTables';

/**
 * Scores of every item (index = item id, index 0 = padding, very negative) after `sequence`
 * (oldest first; only the newest maxLen items are read). Inference only. `tables`: the cached
 * item table of the current weights (the engine passes one; without it the table is rebuilt).
 */
export async function scoreCatalog(model: SasRec, sequence: readonly number[], tables: ItemTables | null = null): Promise<Float32Array> {
  const scores = tf.tidy(() => {
    const seqs = packSequences([sequence.slice(-model.config.maxLen)], model.config.maxLen); // [1, len]
    if (!tables) return tf.reshape(model.scoreLast(seqs), [-1]);
    const len = seqs.shape[1];
    const h = model.encode(tables.table(), seqs, { training: false }); // [1, len, dim]
    const last = tf.reshape(tf.slice(h, [0, len - 1, 0], [1, 1, model.config.dim]), [1, model.config.dim]);
    return tf.reshape(tf.matMul(last, tables.tableT()), [-1]); // [vocab]
  });
  return readScores(scores);
}

/**
 * The scores after each of the newest `rows` prefixes of `sequence`, in one forward pass (the
 * encoder is causal): entry j is the scores after all but the last `rows − 1 − j` items, so the
 * last entry equals `scoreCatalog(model, sequence)`. Fewer entries when the window holds fewer
 * items. Prefixes are read within the newest maxLen items (the context of a prefix starts where
 * the window starts).
 */
export async function scorePositions(model: SasRec, sequence: readonly number[], rows: number, tables: ItemTables | null = null): Promise<Float32Array[]> {
  const window = sequence.slice(-model.config.maxLen);
  const take = Math.max(1, Math.min(rows, window.length));
  const scores = tf.tidy(() => {
    const seqs = packSequences([window], model.config.maxLen); // [1, len]
    const len = seqs.shape[1];
    const table = tables ? tables.table() : model.itemTable({ training: false });
    const h = model.encode(table, seqs, { training: false }); // [1, len, dim]
    const last = tf.reshape(tf.slice(h, [0, len - take, 0], [1, take, model.config.dim]), [take, model.config.dim]);
    return tf.matMul(last, tables ? tables.tableT() : table, false, !tables) as tf.Tensor2D; // [take, vocab]
  });
  return readScoreRows(scores);
}

/** Reads a [rows, vocab] score tensor into one array per row and disposes it; column 0 (padding) becomes NEG_INF. */
export async function readScoreRows(scores: tf.Tensor2D): Promise<Float32Array[]> {
  try {
    const flat = (await scores.data()) as Float32Array;
    const [rows, vocab] = scores.shape;
    return Array.from({ length: rows }, (_, j) => {
      const row = flat.slice(j * vocab, (j + 1) * vocab);
      row[0] = NEG_INF;
      return row;
    });
  } finally {
    scores.dispose();
  }
}

/** Reads a [vocab] score tensor and disposes it; index 0 (padding) becomes NEG_INF, as every feed expects. */
export async function readScores(scores: tf.Tensor): Promise<Float32Array> {
  try {
    const out = (await scores.data()) as Float32Array;
    out[0] = NEG_INF;
    return out;
  } finally {
    scores.dispose();
  }
}
