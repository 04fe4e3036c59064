import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend, type NodeBackend } from '../testing/backend';
import { maxAbsDiff } from '../testing/fixtures';
import { gatherRows } from './gatherRows';

const table = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i + 1));
const indices = [4, 1, 1, 0, 4, 4]; // duplicates: their gradients must add up
const upstream = Float32Array.from({ length: indices.length * 3 }, (_, i) => (i % 7) - 3);

/** Value and d(sum(out * upstream))/d(table) of gatherRows on `backend`. */
async function run(backend: NodeBackend): Promise<{ value: Float32Array; grad: Float32Array }> {
  await useBackend(backend);
  const t = tf.tensor2d(table, [5, 3]);
  const idx = tf.tensor1d(indices, 'int32');
  const up = tf.tensor2d(upstream, [indices.length, 3]);
  const before = tf.memory().numTensors;
  const value = gatherRows(t, idx);
  const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gatherRows(x as tf.Tensor2D, idx), up)))(t);
  const out = { value: (await value.data()) as Float32Array, grad: (await grad.data()) as Float32Array };
  tf.dispose([value, grad]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([t, idx, up]);
  return out;
}

describe('gatherRows', () => {
  it('gathers rows and sums the gradient of repeated rows (hand-computed)', async () => {
    const { value, grad } = await run('cpu');
    expect(Array.from(value.subarray(0, 3))).toEqual(Array.from(table.subarray(12, 15)));
    const expected = new Float32Array(15);
    indices.forEach((row, i) => { for (let k = 0; k < 3; k++) expected[row * 3 + k] += upstream[i * 3 + k]; });
    expect(maxAbsDiff(grad, expected)).toBe(0);
    expect(Array.from(grad.subarray(6, 12))).toEqual([0, 0, 0, 0, 0, 0]); // rows 2, 3 never gathered
  });

  it('matches tf.gather and its built-in gradient on cpu', async () => {
    await useBackend('cpu');
    const t = tf.tensor2d(table, [5, 3]);
    const idx = tf.tensor1d(indices, 'int32');
    const up = tf.tensor2d(upstream, [indices.length, 3]);
    const ref = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, idx), up)))(t);
    const ours = await run('cpu');
    expect(maxAbsDiff(ours.grad, (await ref.data()) as Float32Array)).toBeLessThan(1e-6);
    tf.dispose([t, idx, up, ref]);
  });

  it('has a gradient on wasm (no UnsortedSegmentSum there) equal to cpu', async () => {
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(maxAbsDiff(cpu.value, wasm.value)).toBe(0);
    expect(maxAbsDiff(cpu.grad, wasm.grad)).toBeLessThan(1e-6);
  });
});
