import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backend';
import { maxAbsDiff } from '../testing/fixtures';
import { Adam, type AdamOptions } from './adam';

beforeAll(() => useBackend('cpu'));

function vars(values: Record<string, number[]>): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [name, v] of Object.entries(values)) {
    const init = tf.tensor1d(v);
    out.set(name, tf.variable(init, true));
    init.dispose();
  }
  return out;
}
function grads(values: Record<string, number[]>): Map<string, tf.Tensor> {
  return new Map(Object.entries(values).map(([n, v]) => [n, tf.tensor1d(v)]));
}
async function values(m: Map<string, tf.Tensor>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [n, t] of m) out[n] = Array.from(await t.data());
  return out;
}
const noClip: Partial<AdamOptions> = { clipNorm: 0 };

describe('Adam', () => {
  it('first step moves each weight by the learning rate against the gradient sign (hand-computed)', async () => {
    const w = vars({ a: [1, -2] });
    const opt = new Adam(w, { ...noClip, beta1: 0.9, beta2: 0.98, epsilon: 1e-9 });
    const g = grads({ a: [0.5, -4] });
    opt.apply(g, 0.1);
    // m = 0.1 g, v = 0.02 g^2; bias-corrected m/sqrt(v) = sign(g).
    const got = (await values(w)).a;
    expect(got[0]).toBeCloseTo(0.9, 6);
    expect(got[1]).toBeCloseTo(-1.9, 6);
    const state = await opt.getState();
    expect(state.step).toBe(1);
    expect(state.m.a[0]).toBeCloseTo(0.05, 7);
    expect(state.v.a[1]).toBeCloseTo(0.02 * 16, 6);
    tf.dispose([...g.values(), ...w.values()]);
    opt.dispose();
  });

  it('clipNorm scales all gradients by one global factor when their norm is larger', async () => {
    const run = async (clipNorm: number) => {
      const w = vars({ a: [0], b: [0] });
      const opt = new Adam(w, { clipNorm });
      const g = grads({ a: [3], b: [4] }); // global norm 5
      opt.apply(g, 0.01);
      const { m } = await opt.getState();
      tf.dispose([...g.values(), ...w.values()]);
      opt.dispose();
      return [m.a[0], m.b[0]].map((x) => x / (1 - 0.9)); // the gradient actually used
    };
    const clipped = await run(1);
    expect(clipped[0]).toBeCloseTo(0.6, 5);
    expect(clipped[1]).toBeCloseTo(0.8, 5);
    const unclipped = await run(10);
    expect(unclipped[0]).toBeCloseTo(3, 5);
    expect(unclipped[1]).toBeCloseTo(4, 5);
  });

  it('decoupled weight decay shrinks weights even with zero gradient', async () => {
    const w = vars({ a: [2] });
    const opt = new Adam(w, { ...noClip, weightDecay: 0.5 });
    const g = grads({ a: [0] });
    opt.apply(g, 0.1);
    expect((await values(w)).a[0]).toBeCloseTo(2 - 0.1 * 0.5 * 2, 6);
    tf.dispose([...g.values(), ...w.values()]);
    opt.dispose();
  });

  it('state saved and loaded into a fresh optimizer continues exactly like the original', async () => {
    const start = { a: [0.3, -0.7, 1.1], b: [2] };
    const steps = [{ a: [0.1, 0.2, -0.3], b: [1] }, { a: [-0.5, 0.4, 0.0], b: [-2] }, { a: [0.9, -0.1, 0.3], b: [0.5] }];
    const w1 = vars(start);
    const opt1 = new Adam(w1);
    for (const s of steps.slice(0, 2)) { const g = grads(s); opt1.apply(g, 0.05); tf.dispose([...g.values()]); }
    const saved = await opt1.getState();
    // Through JSON-like plain arrays, as a checkpoint would store it.
    const copy = JSON.parse(JSON.stringify({ step: saved.step, m: mapValues(saved.m), v: mapValues(saved.v) })) as { step: number; m: Record<string, number[]>; v: Record<string, number[]> };
    const w2 = vars(await values(w1));
    const opt2 = new Adam(w2);
    const before = tf.memory().numTensors;
    opt2.setState({ step: copy.step, m: toF32(copy.m), v: toF32(copy.v) });
    expect(tf.memory().numTensors).toBe(before);
    expect(opt2.step).toBe(2);
    for (const [w, opt] of [[w1, opt1], [w2, opt2]] as const) { const g = grads(steps[2]); opt.apply(g, 0.05); tf.dispose([...g.values()]); }
    const a = await values(w1);
    const b = await values(w2);
    expect(maxAbsDiff(a.a, b.a)).toBe(0);
    expect(maxAbsDiff(a.b, b.b)).toBe(0);
    tf.dispose([...w1.values(), ...w2.values()]);
    opt1.dispose();
    opt2.dispose();
  });

  it('rejects gradients of unknown parameters', () => {
    const w = vars({ a: [1] });
    const opt = new Adam(w);
    const g = grads({ zzz: [1] });
    expect(() => opt.apply(g, 0.1)).toThrow(/unknown parameter "zzz"/);
    tf.dispose([...g.values(), ...w.values()]);
    opt.dispose();
  });

  it('constructor, apply, getState/setState and dispose leave no tensors behind', async () => {
    const w = vars({ a: [1, 2, 3], b: [4] });
    const before = tf.memory().numTensors;
    const opt = new Adam(w);
    expect(tf.memory().numTensors).toBe(before + 4); // m and v per parameter
    const g = grads({ a: [1, 1, 1], b: [1] });
    opt.apply(g, 0.1);
    tf.dispose([...g.values()]);
    opt.setState(await opt.getState());
    expect(tf.memory().numTensors).toBe(before + 4);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...w.values()]);
  });
});

function mapValues(r: Record<string, Float32Array>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v)]));
}
function toF32(r: Record<string, number[]>): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Float32Array.from(v)]));
}
