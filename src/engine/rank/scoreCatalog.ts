import * as tf from '@tensorflow/tfjs';
import { packSequences, type SasRec } from '../model/sasrec';

/**
 * Scores of every item (index = item id, index 0 = padding, very negative) after `sequence`
 * (oldest first; only the newest maxLen items are read). Inference only.
 */
export async function scoreCatalog(model: SasRec, sequence: readonly number[]): Promise<Float32Array> {
  const scores = tf.tidy(() => {
    const seqs = packSequences([sequence.slice(-model.config.maxLen)], model.config.maxLen);
    return tf.reshape(model.scoreLast(seqs), [-1]);
  });
  try {
    return (await scores.data()) as Float32Array;
  } finally {
    scores.dispose();
  }
}
