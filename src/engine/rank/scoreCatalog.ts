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
