import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backend';
import { maxAbsDiff } from '../testing/fixtures';
import { fullSoftmaxLoss } from './fullSoftmaxLoss';
import { computeLoss, type LossInputs, type LossSpec } from './losses';
import { softmaxCrossEntropy } from './softmaxCrossEntropy';

beforeAll(() => useBackend('cpu'));

const softplus = (x: number) => Math.log1p(Math.exp(x));
/** -log softmax(logits)[0] */
const ceFirst = (logits: number[]) => -logits[0] + Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));

// Two rows, vocab 4 (row 0 is padding). Scores: row0 -> [_, 1, 0, 1], row1 -> [_, 0, 2, 1].
const hidden = [[1, 0], [0, 1]];
const table = [[0, 0], [1, 0], [0, 2], [1, 1]];
const targets = [1, 2];

async function lossOf(spec: LossSpec, extra: Partial<Record<'negatives' | 'weights' | 'logQ', number[]>> = {}): Promise<number> {
  const x: LossInputs = {
    hidden: tf.tensor2d(hidden),
    table: tf.tensor2d(table),
    targets: tf.tensor1d(targets, 'int32'),
    negatives: extra.negatives ? tf.tensor1d(extra.negatives, 'int32') : undefined,
    weights: extra.weights ? tf.tensor1d(extra.weights) : undefined,
    logQ: extra.logQ ? tf.tensor1d(extra.logQ) : undefined,
  };
  const before = tf.memory().numTensors;
  const loss = computeLoss(spec, x);
  const v = (await loss.data())[0];
  loss.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([x.hidden, x.table, x.targets, x.negatives ?? [], x.weights ?? [], x.logQ ?? []]);
  return v;
}

describe('computeLoss on hand-computed examples', () => {
  it('ce: full softmax over items 1..3, padding column excluded', async () => {
    const expected = (ceFirst([1, 0, 1]) + ceFirst([2, 0, 1])) / 2;
    expect(await lossOf({ kind: 'ce' })).toBeCloseTo(expected, 5);
  });

  it('ce with per-row weights is the weighted mean', async () => {
    const expected = (1 * ceFirst([1, 0, 1]) + 3 * ceFirst([2, 0, 1])) / 4;
    expect(await lossOf({ kind: 'ce' }, { weights: [1, 3] })).toBeCloseTo(expected, 5);
  });

  it('bce: softplus(-pos) + softplus(neg) per row', async () => {
    // row0: pos 1, negative item 3 scores 1; row1: pos 2, negative item 1 scores 0.
    const expected = (softplus(-1) + softplus(1) + softplus(-2) + softplus(0)) / 2;
    expect(await lossOf({ kind: 'bce' }, { negatives: [3, 1] })).toBeCloseTo(expected, 5);
  });

  it('sampled: logQ-corrected softmax over target + shared negatives, the target masked among negatives', async () => {
    const logQ = [0, Math.log(0.5), Math.log(0.3), Math.log(0.2)];
    const negatives = [2, 3];
    const logK = Math.log(2);
    const c = (score: number, item: number) => score - logQ[item] - logK;
    // row0 (target 1): negatives 2 (score 0) and 3 (score 1).
    const row0 = ceFirst([c(1, 1), c(0, 2), c(1, 3)]);
    // row1 (target 2): negative 2 is the target itself and drops out; negative 3 scores 1.
    const row1 = ceFirst([c(2, 2), c(1, 3)]);
    expect(await lossOf({ kind: 'sampled', numNegatives: 2 }, { negatives, logQ })).toBeCloseTo((row0 + row1) / 2, 5);
  });

  it('sampled without negatives is a programming error', async () => {
    await expect(lossOf({ kind: 'sampled' })).rejects.toThrow(/negatives/);
  });
});

/** Reference: dense logits with a -inf padding column and tfjs' own log-softmax and autodiff. */
function referenceLoss(h: tf.Tensor2D, t: tf.Tensor2D, tg: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => denseLoss(h, t, tg));
}
function denseLoss(h: tf.Tensor2D, t: tf.Tensor2D, tg: tf.Tensor1D): tf.Tensor1D {
  const vocab = t.shape[0];
  const logits = tf.matMul(h, t, false, true);
  const pad = tf.concat([tf.fill([1, 1], -1e9), tf.zeros([1, vocab - 1])], 1);
  const logp = tf.logSoftmax(tf.add(logits, pad));
  return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tg, vocab)), 1)) as tf.Tensor1D;
}

describe('fullSoftmaxLoss (fused, chunked) against a dense reference', () => {
  // 2100 rows > one chunk of 2048: exercises the chunked forward and backward.
  for (const rows of [7, 2100]) {
    it(`${rows} rows: per-row loss and both gradients`, async () => {
      const vocab = 13;
      const d = 6;
      const h = tf.tensor2d(Float32Array.from({ length: rows * d }, (_, i) => Math.sin(i * 0.7)), [rows, d]);
      const t = tf.tensor2d(Float32Array.from({ length: vocab * d }, (_, i) => Math.cos(i * 1.1)), [vocab, d]);
      const tg = tf.tensor1d(Int32Array.from({ length: rows }, (_, i) => 1 + (i % (vocab - 1))), 'int32');
      const w = tf.tensor1d(Float32Array.from({ length: rows }, (_, i) => 1 + (i % 3)));
      const before = tf.memory().numTensors;
      const f = (fn: typeof referenceLoss) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor2D, b as tf.Tensor2D, tg), w));
      const ours = fullSoftmaxLoss(h, t, tg);
      const ref = referenceLoss(h, t, tg);
      const gOurs = tf.grads(f(fullSoftmaxLoss))([h, t]);
      const gRef = tf.grads(f(referenceLoss))([h, t]);
      expect(maxAbsDiff(await ours.data(), await ref.data())).toBeLessThan(1e-5);
      expect(maxAbsDiff(await gOurs[0].data(), await gRef[0].data())).toBeLessThan(1e-5);
      expect(maxAbsDiff(await gOurs[1].data(), await gRef[1].data())).toBeLessThan(1e-4 * Math.max(1, rows / 100));
      tf.dispose([ours, ref, ...gOurs, ...gRef]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([h, t, tg, w]);
    });
  }
});

describe('softmaxCrossEntropy', () => {
  it('equals -log softmax at the target and has gradient softmax - onehot', async () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const tg = tf.tensor1d([2, 0], 'int32');
    const loss = softmaxCrossEntropy(logits, tg);
    expect(Array.from(await loss.data())[0]).toBeCloseTo(ceFirst([3, 1, 2]), 5);
    expect(Array.from(await loss.data())[1]).toBeCloseTo(Math.log(3), 5);
    const g = tf.grad((x: tf.Tensor) => tf.sum(softmaxCrossEntropy(x as tf.Tensor2D, tg)))(logits);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    const expected = [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z - 1, 1 / 3 - 1, 1 / 3, 1 / 3];
    expect(maxAbsDiff(await g.data(), expected)).toBeLessThan(1e-6);
    tf.dispose([logits, tg, loss, g]);
  });
});
