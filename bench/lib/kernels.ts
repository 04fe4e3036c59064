import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../../src/engine/model/gatherRows';
import { NEG_INF } from '../../src/engine/model/layers';
import { matmul } from '../../src/engine/model/matmul';
import { fullSoftmaxLoss } from '../../src/engine/train/fullSoftmaxLoss';

/** Inputs shaped like the output layer of the ML-1M model: hidden [rows, d], item table [vocab, d]. */
export interface OutputLayerInputs {
  hidden: tf.Tensor2D;
  table: tf.Tensor2D;
  targets: tf.Tensor1D;
  tokens: tf.Tensor1D;
}

export function outputLayerInputs(rows: number, vocab: number, dim: number, seed: number): OutputLayerInputs {
  return {
    hidden: tf.randomNormal([rows, dim], 0, 1, 'float32', seed) as tf.Tensor2D,
    table: tf.randomNormal([vocab, dim], 0, 0.1, 'float32', seed + 1) as tf.Tensor2D,
    targets: tf.randomUniform([rows], 1, vocab, 'int32', seed + 2) as tf.Tensor1D,
    tokens: tf.randomUniform([rows], 0, vocab, 'int32', seed + 3) as tf.Tensor1D,
  };
}

/** Runs forward + backward of `loss(hidden, table)` and waits for both gradients. */
async function gradsOf(x: OutputLayerInputs, loss: (h: tf.Tensor2D, t: tf.Tensor2D) => tf.Scalar): Promise<void> {
  const g = tf.grads((h: tf.Tensor, t: tf.Tensor) => loss(h as tf.Tensor2D, t as tf.Tensor2D))([x.hidden, x.table]);
  await Promise.all(g.map((t) => t.data()));
  tf.dispose(g);
}

/** Fused, chunked full-catalog cross-entropy (what training uses). */
export const fusedCrossEntropy = (x: OutputLayerInputs) =>
  gradsOf(x, (h, t) => tf.mean(fullSoftmaxLoss(h, t, x.targets)));

/** The textbook version: dense logits via tf.matMul(transposeB), logSoftmax, one-hot. */
export const denseCrossEntropy = (x: OutputLayerInputs) =>
  gradsOf(x, (h, t) => {
    const vocab = t.shape[0];
    const pad = tf.concat([tf.fill([1, 1], NEG_INF), tf.zeros([1, vocab - 1])], 1);
    const logp = tf.logSoftmax(tf.add(tf.matMul(h, t, false, true), pad));
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(x.targets, vocab)), 1)));
  });

/** Our matmul (backward without transposed products) on hidden . table^T. */
export const customMatmul = (x: OutputLayerInputs) => gradsOf(x, (h, t) => tf.sum(matmul(h, t, false, true)));

/** tf.matMul with transposeB (its gradient uses transposed products). */
export const builtinMatmul = (x: OutputLayerInputs) => gradsOf(x, (h, t) => tf.sum(tf.matMul(h, t, false, true)));

/** Embedding lookup with our scatterND gradient. */
export const customGather = (x: OutputLayerInputs) => gradsOf(x, (h, t) => tf.add(tf.sum(gatherRows(t, x.tokens)), tf.mul(tf.sum(h), 0)));

/** tf.gather, whose gradient needs UnsortedSegmentSum. */
export const builtinGather = (x: OutputLayerInputs) => gradsOf(x, (h, t) => tf.add(tf.sum(tf.gather(t, x.tokens)), tf.mul(tf.sum(h), 0)));
