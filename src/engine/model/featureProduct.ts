import * as tf from '@tensorflow/tfjs';
import { customGrad } from './customGrad';
import { matmul } from './matmul';

/** Below this share of non-zeros the product runs sparse (the shipped model: 0.9%). */
const SPARSE_BELOW = 0.1;

/** Non-zeros of a features matrix, row-major: item row, feature column, value. */
interface SparseParts {
  rows: Int32Array;
  cols: Int32Array;
  values: Float32Array;
}

/** Sparse parts per features tensor (read once; shared by the live model and its training copies). */
const sparseCache = new WeakMap<tf.Tensor, SparseParts | null>();

function sparsePartsOf(features: tf.Tensor2D): SparseParts | null {
  if (sparseCache.has(features)) return sparseCache.get(features) ?? null;
  const dense = features.dataSync() as Float32Array;
  let nnz = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++;
  let parts: SparseParts | null = null;
  if (nnz > 0 && nnz < SPARSE_BELOW * dense.length) {
    const cols = features.shape[1];
    parts = { rows: new Int32Array(nnz), cols: new Int32Array(nnz), values: new Float32Array(nnz) };
    for (let i = 0, k = 0; i < dense.length; i++) {
      if (dense[i] === 0) continue;
      parts.rows[k] = Math.floor(i / cols);
      parts.cols[k] = i % cols;
      parts.values[k] = dense[i];
      k++;
    }
  }
  sparseCache.set(features, parts);
  return parts;
}

/**
 * out[r] = sum over non-zeros k of row r: values[k] * featEmb[cols[k]], as gathers and sums into
 * rows (`scatterND` adds repeated indices). The gradient reaches `featEmb` only: the features are
 * constant, so the dense product's [items, features] gradient is never formed.
 */
function sparseProduct(featEmb: tf.Tensor2D, parts: SparseParts, outRows: number): tf.Tensor2D {
  const [numFeatures, d] = featEmb.shape;
  const op = customGrad(([emb, rows, cols, values], save) => {
    save([rows, cols, values]);
    const picked = tf.mul(tf.gather(emb, cols), tf.expandDims(values, 1)); // [nnz, d]
    return {
      value: tf.scatterND(tf.expandDims(rows, 1), picked, [outRows, d]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = Array.isArray(dy) ? dy[0] : dy; // [outRows, d]
        const [r, c, v] = saved;
        const dEmb = tf.scatterND(tf.expandDims(c, 1), tf.mul(tf.gather(g, r), tf.expandDims(v, 1)), [numFeatures, d]);
        return [dEmb, tf.zerosLike(r), tf.zerosLike(c), tf.zerosLike(v)];
      },
    };
  });
  return tf.tidy(() => op(featEmb, tf.tensor1d(parts.rows, 'int32'), tf.tensor1d(parts.cols, 'int32'), tf.tensor1d(parts.values))) as tf.Tensor2D;
}

/**
 * features [items, numFeatures] @ featEmb [numFeatures, d] -> [items, d], differentiable in
 * `featEmb`. Multi-hot content features are mostly zeros: on WASM and CPU the product runs over
 * the non-zeros only (forward and backward about 50x less work on the shipped model than the
 * dense product, whose backward also formed a gradient for the constant features). WebGPU keeps
 * the dense product (fast there; its scatter with repeated indices is not relied on here).
 */
export function featureProduct(features: tf.Tensor2D, featEmb: tf.Tensor2D): tf.Tensor2D {
  const parts = tf.getBackend() === 'webgpu' ? null : sparsePartsOf(features);
  if (!parts) return matmul(features, featEmb);
  return sparseProduct(featEmb, parts, features.shape[0]);
}
