import * as tf from '@tensorflow/tfjs';
import { packSequences, padColumnBias, type SasRec } from './sasrec';

/**
 * Scores after short histories, placed where pretraining saw histories that short.
 *
 * Pretraining right-aligns each whole sequence, so the k-th item of a user with L items sits at
 * position maxLen - L + k - 1: a 1-item context is only ever read far from the last position.
 * `scoreLast` right-aligns every history, which puts a new person's 1-3 items at the last
 * position, a place the model saw only with long histories. Here a history of n < `typicalLength`
 * items ends (typicalLength - n) positions before the last one, as the first n items of a
 * typical-length sequence did in training; longer histories are right-aligned as usual.
 * Models whose positions count from the start of the window (config.positions 'fromStart') already
 * see a short history where training saw it: for them this is exactly `scoreLast`.
 * Returns [batch, numItems+1] scores (column 0 = padding, very negative). Inference only.
 */
export function scoreAligned(model: SasRec, histories: ArrayLike<number>[], typicalLength: number, table?: tf.Tensor2D): tf.Tensor2D {
  const { maxLen, dim, numItems } = model.config;
  if (model.config.positions === 'fromStart') {
    return tf.tidy(() => model.scoreLast(packSequences(histories, maxLen), table));
  }
  const target = Math.max(1, Math.min(maxLen, Math.floor(typicalLength)));
  const rows = histories.map((h) => Array.from(h).slice(-maxLen));
  let width = 1;
  for (const r of rows) width = Math.max(width, Math.max(r.length, target));
  width = Math.min(width, maxLen);
  const buf = new Int32Array(histories.length * width);
  const read = new Int32Array(histories.length);
  rows.forEach((items, r) => {
    const n = Math.min(items.length, width);
    const col = width - 1 - Math.max(0, target - n); // column of the newest item
    for (let i = 0; i < n; i++) buf[r * width + col - n + 1 + i] = items[items.length - n + i];
    read[r] = r * width + col;
  });
  return tf.tidy(() => {
    const t = table ?? model.itemTable();
    const seqs = tf.tensor2d(buf, [histories.length, width], 'int32');
    const h = tf.reshape(model.encode(t, seqs, { training: false }), [histories.length * width, dim]);
    const last = tf.gather(h, tf.tensor1d(read, 'int32')) as tf.Tensor2D;
    return tf.add(tf.matMul(last, tf.transpose(t)), padColumnBias(numItems + 1)) as tf.Tensor2D;
  });
}
