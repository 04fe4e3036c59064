import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend, type NodeBackend } from '../testing/backend';
import { maxAbsDiff } from '../testing/fixtures';
import { featureProduct } from './featureProduct';

const ITEMS = 40;
const FEATURES = 30;
const DIM = 4;
/** Multi-hot rows, 1 to 3 features each, row-normalised; feature 7 on every row. */
function sparseFeatures(): Float32Array {
  const f = new Float32Array(ITEMS * FEATURES);
  for (let r = 1; r < ITEMS; r++) {
    const cols = [7, (r * 5) % FEATURES, (r * 11) % FEATURES].slice(0, 1 + (r % 3));
    const unique = [...new Set(cols)];
    for (const c of unique) f[r * FEATURES + c] = 1 / unique.length;
  }
  return f;
}
const emb = Float32Array.from({ length: FEATURES * DIM }, (_, i) => Math.sin(i * 0.7 + 1));
const upstream = Float32Array.from({ length: ITEMS * DIM }, (_, i) => ((i * 13) % 9) - 4);

/** Value and d(sum(out * upstream))/d(featEmb), by `featureProduct` and by a plain dense product. */
async function run(backend: NodeBackend, dense: Float32Array) {
  await useBackend(backend);
  const features = tf.tensor2d(dense, [ITEMS, FEATURES]);
  const e = tf.tensor2d(emb, [FEATURES, DIM]);
  const up = tf.tensor2d(upstream, [ITEMS, DIM]);
  const before = tf.memory().numTensors;
  const value = featureProduct(features, e);
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(featureProduct(features, x as tf.Tensor2D), up)))(e);
  const refValue = tf.matMul(features, e);
  const refGrad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.matMul(features, x as tf.Tensor2D), up)))(e);
  const out = {
    value: (await value.data()) as Float32Array,
    grad: (await grad.data()) as Float32Array,
    refValue: (await refValue.data()) as Float32Array,
    refGrad: (await refGrad.data()) as Float32Array,
  };
  tf.dispose([value, grad, refValue, refGrad]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([features, e, up]);
  return out;
}

describe('featureProduct', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`equals the plain product and its gradient in featEmb (${backend})`, async () => {
      const r = await run(backend, sparseFeatures());
      expect(maxAbsDiff(r.value, r.refValue)).toBeLessThan(1e-5);
      expect(maxAbsDiff(r.grad, r.refGrad)).toBeLessThan(1e-4);
      // Feature 7 is on every row: its gradient row sums many items' upstream gradients.
      expect(Math.abs(r.grad[7 * DIM])).toBeGreaterThan(1);
      expect(Array.from(r.value.subarray(0, DIM))).toEqual([0, 0, 0, 0]); // padding row: no features
    });
  }
});
