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

/** Item features of a model as a plain array: [numItems+1, numFeatures]. */
export interface FeatureArray { data: Float32Array; shape: [number, number] }

/** Builds a model on the current backend from copied weights (and item features, when the model has a content tower). */
export function modelFromArrays(config: SasRecConfig, arrays: WeightArrays, features: FeatureArray | null = null): SasRec {
  const weights = new Map<string, tf.Variable>();
  for (const [name, { data, shape }] of arrays) {
    const init = tf.tensor(data, shape, 'float32');
    weights.set(name, tf.variable(init, true));
    init.dispose();
  }
  return new SasRec(config, weights, features ? tf.tensor2d(features.data, features.shape) : null);
}
