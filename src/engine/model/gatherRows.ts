import * as tf from '@tensorflow/tfjs';
import { customGrad } from './customGrad';

/**
 * `tf.gather(table, indices)` along axis 0 with a gradient written with `scatterND`.
 * tfjs' own gradient of gather uses UnsortedSegmentSum, which the WASM backend lacks;
 * scatterND sums duplicate indices, which is exactly the embedding gradient.
 */
const gatherRowsOp = customGrad(([table, indices], save) => {
  save([indices]);
  const shape = table.shape;
  return {
    value: tf.gather(table, indices),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const grad = Array.isArray(dy) ? dy[0] : dy;
      const idx = saved[0];
      return [tf.scatterND(tf.expandDims(idx, 1), grad, shape), tf.zerosLike(idx)];
    },
  };
});

/** Rows `indices` of a 2-D `table`: [n] int32 -> [n, dim]. Differentiable on every backend. */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return gatherRowsOp(table, indices) as tf.Tensor2D;
}
