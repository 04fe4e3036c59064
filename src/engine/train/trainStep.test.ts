import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SasRec } from '../model/sasrec';
import { useBackend } from '../testing/backend';
import { randomSequences, tinyConfig } from '../testing/fixtures';
import { Adam } from './adam';
import { nextItemBatch } from './batches';
import type { LossSpec } from './losses';
import { Rng } from './rng';
import { batchLoss, lossAndGrads, trainStep } from './trainStep';

beforeAll(() => useBackend('cpu'));

const cfg = tinyConfig({ numItems: 30, maxLen: 10, dropout: 0.1, idDropout: 0.1, numFeatures: 0 });
const batch = nextItemBatch(randomSequences({ numItems: 30, numUsers: 8, minLen: 2, maxLen: 12, seed: 2 }), cfg.maxLen);

describe('trainStep', () => {
  for (const spec of [{ kind: 'ce' }, { kind: 'sampled', numNegatives: 8 }, { kind: 'bce' }] as LossSpec[]) {
    it(`${spec.kind}: a step with Adam leaves no tensors behind and repeated steps lower the loss`, async () => {
      const model = SasRec.create(cfg, 1);
      const opt = new Adam(model.weights);
      const rng = new Rng(4);
      const before = tf.memory().numTensors;
      const first = await trainStep(model, opt, batch, spec, 0.01, rng);
      expect(tf.memory().numTensors).toBe(before);
      expect(Number.isFinite(first)).toBe(true);
      let last = first;
      for (let i = 0; i < 30; i++) last = await trainStep(model, opt, batch, spec, 0.01, rng);
      expect(tf.memory().numTensors).toBe(before);
      expect(last).toBeLessThan(first * 0.8);
      opt.dispose();
      model.dispose();
    });
  }

  it('lossAndGrads restricted to a trainable subset returns only those gradients', () => {
    const model = SasRec.create(cfg, 1);
    const { loss, grads } = lossAndGrads(model, batch, { kind: 'ce' }, new Rng(1), new Set(['item_emb', 'final_ln_g']));
    expect([...grads.keys()].sort()).toEqual(['final_ln_g', 'item_emb']);
    tf.dispose([loss, ...grads.values()]);
    model.dispose();
  });

  it('batchLoss without training is deterministic (no dropout) and leaves no tensors', async () => {
    const model = SasRec.create(cfg, 1);
    const before = tf.memory().numTensors;
    const a = batchLoss(model, batch, { kind: 'ce' }, new Rng(1), false);
    const b = batchLoss(model, batch, { kind: 'ce' }, new Rng(2), false);
    expect((await a.data())[0]).toBe((await b.data())[0]);
    // Untrained: close to log(numItems), the loss of a uniform guess.
    expect((await a.data())[0]).toBeGreaterThan(Math.log(30) - 1);
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
