import * as tf from '@tensorflow/tfjs';
import { matmul } from './matmul';

/** Large negative used instead of -Infinity so sums of masks stay finite. */
export const NEG_INF = -1e9;

/** LayerNorm over the last axis. x: [..., d]; gamma, beta: [d]. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps = 1e-6): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** x: [n, in] -> [n, out], with an optional ReLU fused in. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu = false): tf.Tensor2D {
  const y = tf.add(matmul(x, w), b) as tf.Tensor2D;
  return relu ? tf.relu(y) : y;
}

/**
 * Additive attention bias [batch, 1, len, len]: query i may attend to key j only when j <= i
 * (causality) and key j is a real item (padding mask). `mask`: [batch, len], 1 for items.
 */
export function attentionBias(mask: tf.Tensor2D): tf.Tensor4D {
  const [batch, len] = mask.shape;
  const causal = new Float32Array(len * len);
  for (let i = 0; i < len; i++) for (let j = i + 1; j < len; j++) causal[i * len + j] = NEG_INF;
  const causalBias = tf.tensor2d(causal, [len, len]); // [len, len]
  const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), NEG_INF), [batch, 1, 1, len]);
  return tf.add(causalBias, keyBias) as tf.Tensor4D; // [batch, 1, len, len]
}

export interface AttentionWeights {
  wq: tf.Tensor2D; bq: tf.Tensor1D;
  wk: tf.Tensor2D; bk: tf.Tensor1D;
  wv: tf.Tensor2D; bv: tf.Tensor1D;
  wo: tf.Tensor2D; bo: tf.Tensor1D;
}

/**
 * Multi-head causal self-attention. x: [batch, len, d] (the queries, and the keys and values
 * unless `kv` is given); bias: [batch, 1, len, len].
 * Returns [batch, len, d] and the attention probabilities [batch, heads, len, len].
 */
export function selfAttention(
  x: tf.Tensor3D,
  w: AttentionWeights,
  heads: number,
  bias: tf.Tensor4D,
  dropout: (t: tf.Tensor) => tf.Tensor,
  kv: tf.Tensor3D = x,
): { out: tf.Tensor3D; probs: tf.Tensor4D } {
  const [batch, len, d] = x.shape;
  const dh = d / heads;
  const flat = tf.reshape(x, [batch * len, d]) as tf.Tensor2D;
  const flatKv = kv === x ? flat : (tf.reshape(kv, [batch * len, d]) as tf.Tensor2D);
  const split = (t: tf.Tensor2D): tf.Tensor4D =>
    heads === 1
      ? (tf.reshape(t, [batch, 1, len, d]) as tf.Tensor4D)
      : (tf.transpose(tf.reshape(t, [batch, len, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D);
  const q = split(dense(flat, w.wq, w.bq)); // [batch, heads, len, dh]
  const k = split(dense(flatKv, w.wk, w.bk));
  const v = split(dense(flatKv, w.wv, w.bv));
  const scores = tf.add(tf.mul(matmul(q, k, false, true), 1 / Math.sqrt(dh)), bias); // [b, h, len, len]
  const probs = tf.softmax(scores) as tf.Tensor4D;
  const ctx = matmul(dropout(probs) as tf.Tensor4D, v); // [batch, heads, len, dh]
  const merged =
    heads === 1 ? tf.reshape(ctx, [batch * len, d]) : tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [batch * len, d]);
  const out = tf.reshape(dense(merged as tf.Tensor2D, w.wo, w.bo), [batch, len, d]) as tf.Tensor3D;
  return { out, probs };
}
