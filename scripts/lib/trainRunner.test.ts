import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../../src/engine/testing/fixtures';
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
