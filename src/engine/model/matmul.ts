import * as tf from '@tensorflow/tfjs';
import { customGrad } from './customGrad';

/** Swaps the last two axes. */
export function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  if (r === 2) return tf.transpose(x);
  const perm = [...Array(r).keys()];
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return tf.transpose(x, perm);
}

/**
 * tfjs-wasm 4.22 sends BatchMatMul to XNNPACK only when both batch sizes are 1; any other batch
 * falls to a naive loop about 10x slower (measured: [16,200,200]·[16,200,128] 203 ms). So on wasm
 * a batched product is taken one matrix at a time. The matrices are cut out of one read of each
 * input, not with tf.slice/unstack: wasm's Slice copies the whole input out of the WASM heap for
 * every slice (16 slices of that product: 29 ms, against 0.7 ms for one read). The inputs are
 * already computed (wasm runs synchronously), so the reads do not wait. Other backends keep their
 * own batched kernel.
 */
function product(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank <= 2 || a.rank !== b.rank || tf.getBackend() !== 'wasm' || a.dtype !== 'float32' || b.dtype !== 'float32') return tf.matMul(a, b);
  const batchShape = a.shape.slice(0, -2);
  if (batchShape.some((d, i) => d !== b.shape[i])) return tf.matMul(a, b);
  const n = batchShape.reduce((x, y) => x * y, 1);
  if (n === 1) return tf.matMul(a, b);
  const [m, k] = a.shape.slice(-2);
  const p = b.shape[b.rank - 1];
  const av = a.dataSync() as Float32Array;
  const bv = b.dataSync() as Float32Array;
  const out = new Float32Array(n * m * p);
  for (let i = 0; i < n; i++) {
    tf.tidy(() => {
      const ai = tf.tensor2d(av.subarray(i * m * k, (i + 1) * m * k), [m, k]);
      const bi = tf.tensor2d(bv.subarray(i * k * p, (i + 1) * k * p), [k, p]);
      out.set(tf.matMul(ai, bi).dataSync() as Float32Array, i * m * p);
    });
  }
  return tf.tensor(out, [...batchShape, m, p], 'float32');
}

/**
 * a @ b whose backward pass also uses only untransposed products. tfjs-wasm 4.22 runs
 * BatchMatMul with transposeA/transposeB 10-15x slower than a plain product of pre-transposed
 * inputs (measured: [2048x64]·[3417x64]^T 621 ms vs 83 ms), and tfjs' built-in matMul gradient
 * uses exactly those transposed forms.
 */
const plainMatMulOp = customGrad(([a, b], save) => {
  save([a, b]);
  return {
    value: product(a, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = Array.isArray(dy) ? dy[0] : dy;
      const [sa, sb] = saved;
      return [product(g, swapLast(sb)), product(swapLast(sa), g)];
    },
  };
});

/** Matrix product (batched for rank > 2, equal batch shapes) with fast forward and backward passes. */
export function matmul<T extends tf.Tensor>(a: T, b: tf.Tensor, transposeA = false, transposeB = false): T {
  if (!transposeA && !transposeB) return plainMatMulOp(a, b) as T;
  // tidy: the transposed copies must not outlive the call when it runs outside a tidy.
  return tf.tidy(() => plainMatMulOp(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b)) as T;
}
