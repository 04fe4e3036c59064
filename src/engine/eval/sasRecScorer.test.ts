import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../model/config';
import { packSequences, SasRec } from '../model/sasrec';
import { rankCases } from './protocol';
import { rankTargets, type EvalCase } from './rankTargets';
import { sasRecScorer } from './sasRecScorer';

describe('sasRecScorer', () => {
  it('scores like model.scoreLast, ranks like rankTargets, and leaks no tensors', async () => {
    await tf.setBackend('cpu');
    const model = SasRec.create(resolveConfig({ numItems: 12, maxLen: 6, dim: 8, blocks: 1, heads: 2, ffnDim: 8, dropout: 0 }), 3);
    const cases: EvalCase[] = [
      { history: [1, 2, 3], target: 4, exclude: [1, 2, 3] },
      { history: [5, 6, 7, 8, 9, 10, 11], target: 12, exclude: [5, 6, 7, 8, 9, 10, 11] },
      { history: [2], target: 1, exclude: [2] },
    ];
    const before = tf.memory().numTensors;
    const scorer = sasRecScorer(model, { batchSize: 2 });
    const scores = await scorer.score([cases[0].history]);
    const seqs = packSequences([cases[0].history], 6);
    const direct = model.scoreLast(seqs);
    const expected = await direct.data();
    tf.dispose([seqs, direct]);
    expect(Array.from(scores.subarray(1))).toEqual(Array.from(expected.subarray(1)));
    const ours = await rankCases(scorer, cases, { numItems: 12 });
    scorer.dispose?.();
    const theirs = await rankTargets(model, cases);
    expect(Array.from(ours.ranks)).toEqual(Array.from(theirs.ranks));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
