import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../model/gatherRows';
import { NEG_INF } from '../model/layers';
import { matmul } from '../model/matmul';
import { fullSoftmaxLoss } from './fullSoftmaxLoss';
import { softmaxCrossEntropy } from './softmaxCrossEntropy';

/**
 * Training objectives for next-item prediction.
 * - `ce`: full softmax cross-entropy over the whole catalog (best on ML-1M in the literature).
 * - `sampled`: softmax over the target and K negatives shared by the batch, logQ-corrected.
 * - `bce`: original SASRec, one random negative per target, softplus(-pos) + softplus(neg).
 */
export type LossKind = 'ce' | 'sampled' | 'bce';

export interface LossSpec {
  kind: LossKind;
  /** Shared negatives for `sampled` (default 256). */
  numNegatives?: number;
}

/** Inputs of a loss, already on the device. */
export interface LossInputs {
  /** Hidden states at positions that have a target: [rows, d]. */
  hidden: tf.Tensor2D;
  /** Item vectors [vocab, d] (row 0 padding). */
  table: tf.Tensor2D;
  /** Next item per row: [rows] int32. */
  targets: tf.Tensor1D;
  /** Per-row weights [rows]; mean over rows when absent. */
  weights?: tf.Tensor1D;
  /** `sampled`: [K] int32 shared negatives; `bce`: [rows] int32, one per row. */
  negatives?: tf.Tensor1D;
  /** `sampled`: log sampling probability of every item, [vocab] (logQ correction). */
  logQ?: tf.Tensor1D;
}

function weightedMean(perRow: tf.Tensor1D, weights?: tf.Tensor1D): tf.Scalar {
  if (!weights) return tf.mean(perRow);
  return tf.div(tf.sum(tf.mul(perRow, weights)), tf.maximum(tf.sum(weights), 1e-9));
}

/** Row-wise dot product of hidden states with the vectors of `items`: [rows]. */
function itemScores(hidden: tf.Tensor2D, table: tf.Tensor2D, items: tf.Tensor1D): tf.Tensor1D {
  return tf.sum(tf.mul(hidden, gatherRows(table, items)), -1);
}

/**
 * Per-row sampled-softmax cross-entropy: each row's target against K negatives shared by every
 * row, all scores log-Q corrected (s - log(K q)); a negative equal to a row's target is masked.
 * `logQ` is indexed like `table` (row 0 padding). Used by pretraining (`sampled`) and by on-device
 * fine-tuning on large catalogs (`finetune`), so both learn the same objective. Returns [rows].
 */
export function sampledSoftmaxRows(hidden: tf.Tensor2D, table: tf.Tensor2D, targets: tf.Tensor1D, negatives: tf.Tensor1D, logQ: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const k = negatives.shape[0];
    const logK = Math.log(k);
    const pos = tf.sub(itemScores(hidden, table, targets), tf.add(tf.gather(logQ, targets), logK));
    const negVecs = gatherRows(table, negatives); // [K, d]
    let neg = tf.sub(matmul(hidden, negVecs, false, true), tf.add(tf.gather(logQ, negatives), logK)); // [rows, K]
    const hit = tf.equal(tf.expandDims(targets, 1), tf.expandDims(negatives, 0));
    neg = tf.where(hit, tf.fill(neg.shape, NEG_INF), neg);
    const all = tf.concat([tf.expandDims(pos, 1), neg], 1); // [rows, 1+K]
    return softmaxCrossEntropy(all as tf.Tensor2D, tf.zeros([all.shape[0]], 'int32') as tf.Tensor1D);
  });
}

/** Scalar training loss for one of the objectives. */
export function computeLoss(spec: LossSpec, x: LossInputs): tf.Scalar {
  return tf.tidy(() => {
    switch (spec.kind) {
      case 'ce': {
        return weightedMean(fullSoftmaxLoss(x.hidden, x.table, x.targets), x.weights);
      }
      case 'sampled': {
        if (!x.negatives || !x.logQ) throw new Error('sampled softmax needs negatives and logQ');
        return weightedMean(sampledSoftmaxRows(x.hidden, x.table, x.targets, x.negatives, x.logQ), x.weights);
      }
      case 'bce': {
        if (!x.negatives) throw new Error('bce needs one negative per row');
        const pos = itemScores(x.hidden, x.table, x.targets);
        const neg = itemScores(x.hidden, x.table, x.negatives);
        // softplus(-pos) + softplus(neg) == -log sigmoid(pos) - log(1 - sigmoid(neg)), with a usable gradient.
        const perRow = tf.add(tf.softplus(tf.neg(pos)), tf.softplus(neg)) as tf.Tensor1D;
        return weightedMean(perRow, x.weights);
      }
    }
  });
}
