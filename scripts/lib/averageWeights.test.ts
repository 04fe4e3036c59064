import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { SasRec } from '../../src/engine/model/sasrec';
import { tinyConfig } from '../../src/engine/testing/fixtures';
import { averageInto } from './averageWeights';

describe('averageInto', () => {
  it('sets every weight to the element-wise mean, without leaking tensors', async () => {
    await tf.setBackend('cpu');
    const cfg = tinyConfig({ numItems: 9 });
    const models = [1, 2, 3].map((seed) => SasRec.create(cfg, seed));
    const expected = new Map<string, Float32Array>();
    for (const name of models[0].weights.keys()) {
      const arrays = await Promise.all(models.map(async (m) => (await m.w(name).data()) as Float32Array));
      expected.set(name, arrays[0].map((_, j) => (arrays[0][j] + arrays[1][j] + arrays[2][j]) / 3));
    }
    const before = tf.memory().numTensors;
    await averageInto(models[0], models);
    expect(tf.memory().numTensors).toBe(before);
    for (const [name, want] of expected) {
      const got = (await models[0].w(name).data()) as Float32Array;
      for (let j = 0; j < want.length; j++) expect(got[j]).toBeCloseTo(want[j], 6);
    }
    // The others are untouched: averaging again with only model 2 gives model 2.
    await averageInto(models[0], [models[1]]);
    expect(Array.from(await models[0].w('item_emb').data())).toEqual(Array.from(await models[1].w('item_emb').data()));
    for (const m of models) m.dispose();
  });

  it('refuses models of different configs and an empty list', async () => {
    await tf.setBackend('cpu');
    const a = SasRec.create(tinyConfig({ numItems: 9 }), 1);
    const b = SasRec.create(tinyConfig({ numItems: 10 }), 1);
    await expect(averageInto(a, [a, b])).rejects.toThrow(/model 2 has a different config .* only snapshots of one run can be averaged/);
    await expect(averageInto(a, [])).rejects.toThrow(/no models/);
    a.dispose();
    b.dispose();
  });
});
