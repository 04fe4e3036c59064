import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packSequences, SasRec } from '../model/sasrec';
import { useBackend } from '../testing/backend';
import { randomSequences, tinyConfig } from '../testing/fixtures';
import { rankTargets, topItems, type EvalCase } from './rankTargets';

const cfg = tinyConfig({ numItems: 30, maxLen: 8 });
let model: SasRec;
beforeAll(async () => {
  await useBackend('cpu');
  model = SasRec.create(cfg, 9);
});
afterAll(() => model.dispose());

async function scores(history: ArrayLike<number>): Promise<Float32Array> {
  const seqs = packSequences([history], cfg.maxLen);
  const s = model.scoreLast(seqs);
  const out = (await s.data()) as Float32Array;
  tf.dispose([seqs, s]);
  return out;
}

describe('rankTargets', () => {
  it('rank = number of non-excluded items scoring higher; seen items never rank', async () => {
    const history = [3, 17, 8, 21, 5];
    const s = await scores(history);
    // Pick as target the item ranked 10th among unseen items, so several items beat it.
    const unseen = Array.from({ length: 30 }, (_, i) => i + 1).filter((i) => !history.includes(i)).sort((a, b) => s[b] - s[a]);
    const target = unseen[9];
    const beaters = (exclude: number[]) => Array.from({ length: 30 }, (_, i) => i + 1).filter((i) => !exclude.includes(i) && i !== target && s[i] > s[target]).length;

    const { ranks, top } = await rankTargets(model, [{ history, target, exclude: history }], { topK: 30 });
    expect(ranks[0]).toBe(9);
    expect(ranks[0]).toBe(beaters(history));
    // The top list is the unseen items, best first; no history item appears, nor padding.
    expect(Array.from(top[0])).toEqual(unseen);
    for (const h of [0, ...history]) expect(top[0]).not.toContain(h);

    // Excluding nothing lets seen items that score higher count against the target.
    const { ranks: noExclude } = await rankTargets(model, [{ history, target, exclude: [] }]);
    expect(noExclude[0]).toBe(beaters([]));
    expect(noExclude[0]).toBeGreaterThanOrEqual(ranks[0]);

    // Excluding every item that beats the target puts it first.
    const above = unseen.slice(0, 9);
    const { ranks: first } = await rankTargets(model, [{ history, target, exclude: [...history, ...above] }]);
    expect(first[0]).toBe(0);
  });

  it('the target itself is never excluded, even when it is in the history (repeat consumption)', async () => {
    const history = [4, 9, 4, 12];
    const s = await scores(history);
    const target = 4;
    const expected = Array.from({ length: 30 }, (_, i) => i + 1).filter((i) => !history.includes(i) && s[i] > s[target]).length;
    const { ranks } = await rankTargets(model, [{ history, target, exclude: history }]);
    expect(ranks[0]).toBe(expected);
  });

  it('returns ranks in case order across length-sorted batches, and equals case-by-case ranking', async () => {
    const seqs = randomSequences({ numItems: 30, numUsers: 23, minLen: 2, maxLen: 12, seed: 3 });
    const cases: EvalCase[] = seqs.map((q) => ({ history: q.subarray(0, -1), target: q[q.length - 1], exclude: q.subarray(0, -1) }));
    const together = await rankTargets(model, cases, { batchSize: 5, topK: 3 });
    for (let i = 0; i < cases.length; i++) {
      const alone = await rankTargets(model, [cases[i]], { topK: 3 });
      expect(together.ranks[i], `case ${i}`).toBe(alone.ranks[0]);
      expect(Array.from(together.top[i])).toEqual(Array.from(alone.top[0]));
    }
  });

  it('sampled protocol: rank counts only the given negatives', async () => {
    const history = [1, 2, 3];
    const s = await scores(history);
    const negatives = Int32Array.from([10, 11, 12, 13, 14, 15]);
    const target = 20;
    const expected = Array.from(negatives).filter((n) => s[n] > s[target]).length;
    const { ranks } = await rankTargets(model, [{ history, target, exclude: history }], { sampledNegatives: [negatives] });
    expect(ranks[0]).toBe(expected);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await rankTargets(model, [{ history: [1, 2], target: 3, exclude: [1, 2] }], { topK: 5 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('topItems', () => {
  it('returns the k best indices, best first, skipping what it is told to', () => {
    const s = [9, 1, 7, 3, 8, 2];
    expect(Array.from(topItems(s, 3, () => false))).toEqual([0, 4, 2]);
    expect(Array.from(topItems(s, 3, (j) => j === 0 || j === 4))).toEqual([2, 3, 5]);
    expect(Array.from(topItems(s, 10, (j) => j > 2))).toEqual([0, 2, 1]);
  });
});
