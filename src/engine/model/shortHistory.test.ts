import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backend';
import { maxAbsDiff, tinyConfig } from '../testing/fixtures';
import { packSequences, SasRec } from './sasrec';
import { scoreAligned } from './shortHistory';

beforeAll(() => useBackend('cpu'));

describe('scoreAligned (short histories placed where pretraining saw them)', () => {
  it('long histories: identical to scoreLast; short ones: the state after the n-th item of a typical-length sequence', async () => {
    const model = SasRec.create(tinyConfig({ numItems: 20, maxLen: 8 }), 4);
    const before = tf.memory().numTensors;
    const long = [3, 4, 5, 6, 7, 8];
    const short = [9, 2];
    const [a, ref, manual] = tf.tidy(() => {
      const out = scoreAligned(model, [long, short], 5);
      const last = model.scoreLast(packSequences([long], 8));
      // short history followed by 3 other items, width 5: read column 1 (causal: later items cannot matter)
      const t = model.itemTable();
      const h = model.encode(t, tf.tensor2d([[9, 2, 11, 12, 13]], [1, 5], 'int32'), { training: false });
      const col = tf.reshape(tf.slice(h, [0, 1, 0], [1, 1, model.config.dim]), [1, model.config.dim]);
      return [out, last, tf.matMul(col, tf.transpose(t))];
    });
    const [av, rv, mv] = await Promise.all([a.data(), ref.data(), manual.data()]);
    expect(maxAbsDiff(av.subarray(0, 21), rv)).toBeLessThan(1e-5);
    expect(maxAbsDiff(av.subarray(22, 42), mv.subarray(1, 21))).toBeLessThan(1e-4);
    expect(av[21]).toBeLessThan(-1e8); // padding column
    // and it differs from right-aligning the short history (the last position)
    const right = tf.tidy(() => model.scoreLast(packSequences([short], 8)));
    expect(maxAbsDiff(av.subarray(22, 42), (await right.data()).subarray(1, 21))).toBeGreaterThan(1e-3);
    tf.dispose([a, ref, manual, right]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('positions counted from the start: exactly scoreLast (short histories already sit where training saw them)', async () => {
    const model = SasRec.create(tinyConfig({ numItems: 20, maxLen: 8, positions: 'fromStart' }), 4);
    const before = tf.memory().numTensors;
    const histories = [[3, 4, 5, 6, 7, 8], [9, 2]];
    const [a, b] = tf.tidy(() => [scoreAligned(model, histories, 5), model.scoreLast(packSequences(histories, 8))]);
    expect(maxAbsDiff(await a.data(), await b.data())).toBe(0);
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
