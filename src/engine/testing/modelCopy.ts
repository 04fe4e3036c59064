import * as tf from '@tensorflow/tfjs';
import type { SasRecConfig } from '../model/config';
import { SasRec } from '../model/sasrec';

/** Plain-array copy of every weight of a model (backend independent). */
export type WeightArrays = Map<string, { data: Float32Array; shape: number[] }>;

export async function readWeights(model: SasRec): Promise<WeightArrays> {
  const out: WeightArrays = new Map();
  for (const [name, v] of model.weights) out.set(name, { data: (await v.data()) as Float32Array, shape: v.shape });
  return out;
}

/** Builds a model on the current backend from copied weights. */
export function modelFromArrays(config: SasRecConfig, arrays: WeightArrays): SasRec {
  const weights = new Map<string, tf.Variable>();
  for (const [name, { data, shape }] of arrays) {
    const init = tf.tensor(data, shape, 'float32');
    weights.set(name, tf.variable(init, true));
    init.dispose();
  }
  return new SasRec(config, weights);
}
