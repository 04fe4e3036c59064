import * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../../src/engine/model/sasrec';

/**
 * Sets `into`'s weights to the element-wise mean of `models`' weights (checkpoint averaging of
 * one run's epochs). Every model must have the same config; `into` may be one of them.
 */
export async function averageInto(into: SasRec, models: readonly SasRec[]): Promise<void> {
  if (models.length === 0) throw new Error('averageInto: no models to average');
  const config = JSON.stringify(into.config);
  models.forEach((m, i) => {
    if (JSON.stringify(m.config) !== config) {
      throw new Error(`model ${i + 1} has a different config (${JSON.stringify(m.config)} vs ${config}); only snapshots of one run can be averaged`);
    }
  });
  const means = new Map<string, Float32Array>();
  for (const name of into.weights.keys()) {
    const sum = new Float32Array(into.weights.get(name)?.size ?? 0);
    for (const m of models) {
      const v = m.weights.get(name);
      if (!v) throw new Error(`averageInto: a model has no weight "${name}"`);
      const data = (await v.data()) as Float32Array;
      for (let j = 0; j < sum.length; j++) sum[j] += data[j];
    }
    for (let j = 0; j < sum.length; j++) sum[j] /= models.length;
    means.set(name, sum);
  }
  for (const [name, mean] of means) {
    const v = into.weights.get(name) as tf.Variable;
    tf.tidy(() => v.assign(tf.tensor(mean, v.shape, 'float32')));
  }
}
