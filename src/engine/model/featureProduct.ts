import * as tf from '@tensorflow/tfjs';
import { customGrad } from './customGrad';

/**
 * features [items, numFeatures] @ featEmb [numFeatures, d] -> [items, d], differentiable in
 * `featEmb` only: the content features are constant, so the backward pass computes
 * d featEmb = features^T @ dy and never the [items, features] gradient of the features that a
 * plain product forms (a third of the product's training cost on the shipped model). Plain,
 * untransposed products only (tfjs-wasm runs transposed ones 10-15x slower, see matmul.ts).
 * A sparse form (gather + scatterND over the 0.9% non-zeros) was measured slower on WASM:
 * tfjs-wasm's Gather of 16,945 rows took 6x the dense product (bench:learn-step).
 */
const featureProductOp = customGrad(([features, featEmb], save) => {
  save([features]);
  return {
    value: tf.matMul(features, featEmb),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0] : dy; // [items, d]
      const [f] = saved;
      return [tf.zerosLike(f), tf.matMul(tf.transpose(f), g)];
    },
  };
});

/** features @ featEmb with a gradient for `featEmb` only (the item table's content part). */
export function featureProduct(features: tf.Tensor2D, featEmb: tf.Tensor2D): tf.Tensor2D {
  return featureProductOp(features, featEmb) as tf.Tensor2D;
}
