import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend, type NodeBackend } from '../testing/backend';
import { maxAbsDiff } from '../testing/fixtures';
import { matmul } from './matmul';

const fill = (n: number, phase: number) => Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.37 + phase));

interface Case {
  label: string;
  aShape: number[];
  bShape: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const cases: Case[] = [
  { label: '2-D', aShape: [4, 3], bShape: [3, 5], transposeA: false, transposeB: false },
  { label: '2-D, b transposed', aShape: [4, 3], bShape: [5, 3], transposeA: false, transposeB: true },
  { label: '2-D, a transposed', aShape: [3, 4], bShape: [3, 5], transposeA: true, transposeB: false },
  { label: 'batched 4-D, b transposed (attention scores)', aShape: [2, 2, 4, 3], bShape: [2, 2, 4, 3], transposeA: false, transposeB: true },
  { label: 'batched 4-D (probabilities · values; wasm takes it one matrix at a time)', aShape: [3, 1, 5, 5], bShape: [3, 1, 5, 2], transposeA: false, transposeB: false },
  { label: 'batched 3-D, a transposed', aShape: [4, 3, 2], bShape: [4, 3, 5], transposeA: true, transposeB: false },
];

/** Value and gradients of sum(matmul(a, b) * w) with our op (`custom`) or tf.matMul. */
async function run(backend: NodeBackend, c: Case, custom: boolean): Promise<Float32Array[]> {
  await useBackend(backend);
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const a = tf.tensor(fill(size(c.aShape), 0.1), c.aShape);
  const b = tf.tensor(fill(size(c.bShape), 1.3), c.bShape);
  const op = (x: tf.Tensor, y: tf.Tensor) => (custom ? matmul(x, y, c.transposeA, c.transposeB) : tf.matMul(x, y, c.transposeA, c.transposeB));
  const before = tf.memory().numTensors;
  const value = op(a, b);
  const w = tf.tensor(fill(value.size, 2.2), value.shape);
  const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(op(x, y), w)))([a, b]);
  const out = [(await value.data()) as Float32Array, (await ga.data()) as Float32Array, (await gb.data()) as Float32Array];
  tf.dispose([value, w, ga, gb]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([a, b]);
  return out;
}

describe('matmul (custom gradient without transposed products)', () => {
  for (const c of cases) {
    it(`${c.label}: value and gradients equal tf.matMul on cpu, and wasm equals cpu`, async () => {
      const reference = await run('cpu', c, false);
      const cpu = await run('cpu', c, true);
      const wasm = await run('wasm', c, true);
      for (let i = 0; i < 3; i++) {
        expect(maxAbsDiff(cpu[i], reference[i])).toBeLessThan(1e-5);
        expect(maxAbsDiff(wasm[i], cpu[i])).toBeLessThan(1e-5);
      }
    });
  }

  it('gives the hand-computed product', async () => {
    await useBackend('cpu');
    const p = matmul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]), false, true);
    expect(Array.from(await p.data())).toEqual([17, 23, 39, 53]);
    p.dispose();
  });
});
