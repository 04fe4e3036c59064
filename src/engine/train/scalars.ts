import * as tf from '@tensorflow/tfjs';

/** Reads a scalar and disposes it, also when the read fails (reads reject once a GPU device is lost). */
export async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

/** Sums a list of tensors pairwise (WebGPU addN with more than 8 inputs returns zeros). */
export function sumAll(ts: tf.Tensor[]): tf.Tensor {
  let acc = ts[0];
  for (let i = 1; i < ts.length; i++) acc = tf.add(acc, ts[i]);
  return acc;
}
