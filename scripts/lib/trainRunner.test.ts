import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../../src/engine/testing/fixtures';
import { lengthGroups } from '../../src/engine/train/batches';
import { LocalRunner } from './trainRunner';

describe('LocalRunner.step gradScale', () => {
  it('reaches the optimizer: scale 0 leaves every weight as it was, scale 1 moves them', async () => {
    await tf.setBackend('cpu');
    const make = () => new LocalRunner({ config: tinyConfig({ numItems: 12 }), seed: 3, features: null, featureNames: [], resumeDir: null, adam: {}, loss: { kind: 'ce' } });
    const seqs = [Int32Array.from([1, 2, 3, 4, 5]), Int32Array.from([6, 7, 8])];
    const moved = async (scale: number) => {
      const r = make();
      const before = (await r.model.w('item_emb').data()).slice();
      const loss = await r.step(seqs, 0.01, 1, scale);
      const after = await r.model.w('item_emb').data();
      await r.close();
      return { loss, diff: Math.max(...after.map((v, i) => Math.abs(v - before[i]))) };
    };
    const zero = await moved(0);
    const one = await moved(1);
    expect(zero.diff).toBe(0);
    expect(one.diff).toBeGreaterThan(1e-4);
    expect(zero.loss).toBeCloseTo(one.loss, 6); // the reported loss is the unscaled batch mean
  });
});

describe('LocalRunner groupByLength', () => {
  it('gives the gradient and loss of the one padded batch, and steps the same, without tensor leaks', async () => {
    await tf.setBackend('cpu');
    const config = tinyConfig({ numItems: 20, maxLen: 12, dropout: 0 });
    const make = (groupByLength: boolean) =>
      new LocalRunner({ config, seed: 5, features: null, featureNames: [], resumeDir: null, adam: {}, loss: { kind: 'ce' }, groupByLength });
    // Lengths 3..13 mixed, so the grouped runner computes several groups (8 rows minimum each).
    const seqs = Array.from({ length: 20 }, (_, r) => Int32Array.from({ length: 3 + ((r * 7) % 11) }, (_, i) => 1 + ((r * 3 + i * 5) % 20)));
    expect(lengthGroups(seqs.map((s) => Math.min(s.length - 1, 12))).length).toBeGreaterThan(1);
    const plain = make(false);
    const grouped = make(true);
    const before = tf.memory().numTensors;
    const a = await plain.gradients(seqs, 9);
    const b = await grouped.gradients(seqs, 9);
    expect(tf.memory().numTensors).toBe(before);
    expect(b.rows).toBe(a.rows);
    expect(b.loss).toBeCloseTo(a.loss, 5);
    for (const [name, g] of Object.entries(a.grads)) {
      const h = b.grads[name];
      expect(h, name).toBeDefined();
      // Relative to the weight's largest gradient, plus float32 noise (the key bias's true gradient is 0).
      const scale = Math.max(...g.map(Math.abs));
      expect(Math.max(...g.map((v, i) => Math.abs(v - h[i]))), name).toBeLessThan(1e-4 * scale + 1e-7);
    }
    const la = await plain.step(seqs, 0.01, 9);
    const lb = await grouped.step(seqs, 0.01, 9);
    expect(lb).toBeCloseTo(la, 5);
    const wa = await plain.model.w('item_emb').data();
    const wb = await grouped.model.w('item_emb').data();
    expect(Math.max(...wa.map((v, i) => Math.abs(v - wb[i])))).toBeLessThan(1e-5);
    await plain.close();
    await grouped.close();
  });
});
