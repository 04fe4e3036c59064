import * as tf from '@tensorflow/tfjs';
import { customGrad } from '../model/customGrad';

/**
 * Per-row softmax cross-entropy with integer targets, with its gradient written by hand
 * (softmax - onehot) so the backward pass does one pass over the [rows, vocab] logits.
 * logits: [rows, vocab]; targets: [rows] int32. Returns [rows].
 */
const ceOp = customGrad(([logits, targets], save) => {
  const vocab = logits.shape[1] as number;
  const lse = tf.logSumExp(logits, -1, true); // [rows, 1]
  const onehot = tf.oneHot(targets as tf.Tensor1D, vocab); // [rows, vocab] int32
  const targetLogit = tf.sum(tf.mul(logits, onehot), -1); // [rows]
  save([logits, lse, targets]);
  return {
    value: tf.sub(tf.reshape(lse, [-1]), targetLogit),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0] : dy;
      const [x, m, t] = saved;
      const probs = tf.exp(tf.sub(x, m));
      const grad = tf.mul(tf.sub(probs, tf.oneHot(t as tf.Tensor1D, vocab)), tf.expandDims(g, 1));
      return [grad, tf.zerosLike(t)];
    },
  };
});

export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return ceOp(logits, targets) as tf.Tensor1D;
}
