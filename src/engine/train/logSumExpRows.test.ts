import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backend';
import { maxAbsDiff } from '../testing/fixtures';
import { logSumExpRows } from './logSumExpRows';

const ROWS = 5;
const VOCAB = 9;
// Large and repeated values: the max trick and ties (where tf's max gradient picks) both matter.
const logits = Float32Array.from({ length: ROWS * VOCAB }, (_, i) => (i % 4 === 0 ? 50 : Math.sin(i) * 8));
const upstream = Float32Array.from({ length: ROWS }, (_, i) => i - 2);

describe('logSumExpRows', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`equals tf.logSumExp and its gradient, without an Equal kernel, leaking nothing (${backend})`, async () => {
      await useBackend(backend);
      const x = tf.tensor2d(logits, [ROWS, VOCAB]);
      const up = tf.tensor1d(upstream);
      const before = tf.memory().numTensors;
      const mine = logSumExpRows(x);
      const ref = tf.logSumExp(x, 1);
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(logSumExpRows(t as tf.Tensor2D), up)))(x);
      const refGrad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.logSumExp(t, 1), up)))(x);
      expect(maxAbsDiff(await mine.data(), await ref.data())).toBeLessThan(1e-4);
      const g = (await grad.data()) as Float32Array;
      expect(maxAbsDiff(g, await refGrad.data())).toBeLessThan(1e-5);
      // Each row's gradient is its softmax times the upstream value: it sums to that value.
      for (let r = 0; r < ROWS; r++) expect(g.slice(r * VOCAB, (r + 1) * VOCAB).reduce((a, b) => a + b, 0)).toBeCloseTo(upstream[r], 4);
      const prof = await tf.profile(() => tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(logSumExpRows(t as tf.Tensor2D)))(x)));
      expect(prof.kernelNames).not.toContain('Equal');
      tf.dispose([mine, ref, grad, refGrad]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, up]);
    });
  }
});
