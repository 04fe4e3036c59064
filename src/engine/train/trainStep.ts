import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../model/gatherRows';
import type { SasRec } from '../model/sasrec';
import type { Adam } from './adam';
import type { SequenceBatch } from './batches';
import { computeLoss, type LossSpec } from './losses';
import type { Rng } from './rng';

/** Draws the negatives a loss needs (uniform over items 1..numItems). */
function sampleNegatives(spec: LossSpec, batch: SequenceBatch, numItems: number, rng: Rng): Int32Array | undefined {
  if (spec.kind === 'sampled') {
    const k = Math.min(spec.numNegatives ?? 256, numItems);
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) out[i] = rng.int(1, numItems + 1);
    return out;
  }
  if (spec.kind === 'bce') {
    const out = new Int32Array(batch.targets.length);
    for (let i = 0; i < out.length; i++) {
      let n = rng.int(1, numItems + 1);
      while (n === batch.targets[i] && numItems > 1) n = rng.int(1, numItems + 1);
      out[i] = n;
    }
    return out;
  }
  return undefined;
}

/**
 * The scalar loss of a batch (forward pass only). Used by the train step, by validation
 * losses and by gradient tests. `training` enables dropout.
 */
export function batchLoss(model: SasRec, batch: SequenceBatch, spec: LossSpec, rng: Rng, training = true): tf.Scalar {
  const numItems = model.config.numItems;
  const negatives = sampleNegatives(spec, batch, numItems, rng);
  return tf.tidy(() => {
    const opts = { training, nextSeed: () => rng.seed() };
    const table = model.itemTable(opts);
    const seqs = tf.tensor2d(batch.seqs, [batch.batch, batch.len], 'int32');
    const h = model.encode(table, seqs, opts); // [batch, len, d]
    const flat = tf.reshape(h, [batch.batch * batch.len, model.config.dim]) as tf.Tensor2D;
    const hidden = gatherRows(flat, tf.tensor1d(batch.positions, 'int32')); // [rows, d]
    const logQ =
      spec.kind === 'sampled' ? tf.fill([numItems + 1], -Math.log(numItems)) as tf.Tensor1D : undefined;
    return computeLoss(spec, {
      hidden,
      table,
      targets: tf.tensor1d(batch.targets, 'int32'),
      weights: batch.weights ? tf.tensor1d(batch.weights) : undefined,
      negatives: negatives ? tf.tensor1d(negatives, 'int32') : undefined,
      logQ,
    });
  });
}

/** Loss and gradients keyed by parameter name (caller disposes). */
export function lossAndGrads(
  model: SasRec,
  batch: SequenceBatch,
  spec: LossSpec,
  rng: Rng,
  trainable?: Set<string>,
): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
  const names = [...model.weights.keys()].filter((n) => !trainable || trainable.has(n));
  const vars = names.map((n) => model.weights.get(n) as tf.Variable);
  const { value, grads } = tf.variableGrads(() => batchLoss(model, batch, spec, rng, true), vars);
  const byName = new Map<string, tf.Tensor>();
  names.forEach((n, i) => {
    const g = grads[vars[i].name];
    if (g) byName.set(n, g);
  });
  return { loss: value, grads: byName };
}

/** One optimisation step; resolves with the batch loss. */
export async function trainStep(
  model: SasRec,
  optimizer: Adam,
  batch: SequenceBatch,
  spec: LossSpec,
  learningRate: number,
  rng: Rng,
): Promise<number> {
  const { loss, grads } = lossAndGrads(model, batch, spec, rng);
  optimizer.apply(grads, learningRate);
  for (const g of grads.values()) g.dispose();
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}
