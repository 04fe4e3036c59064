import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../model/gatherRows';
import { matmul } from '../model/matmul';
import { activeParts, disposeParts, partTensors, rowTensors, type RowTensors } from './finetuneData';
import { DISLIKE_TOP_K, type FinetuneObjective, type ObjectiveInput } from './finetuneObjective';
import { logSumExpRows } from './logSumExpRows';
import { sampledSoftmaxRows } from './losses';
import type { SampledRows } from './sampledRows';
import { readScalar, sumAll } from './scalars';

/** log(softmax) along rows, with the gradient of `logSumExpRows` (WASM-safe). */
const logSoftmaxRows = (x: tf.Tensor2D): tf.Tensor2D => tf.sub(x, tf.expandDims(logSumExpRows(x), 1)) as tf.Tensor2D;

/**
 * The sampled-softmax objective for large catalogs: no step forms [positions, items] logits.
 * Step s uses the negatives `sample.negatives[s - 1]`, shared by every position; a target competes
 * with them under the log-Q correction of the pretraining `sampled` loss (`sampledSoftmaxRows`).
 * Replay rows are distilled over the step's negatives (the pretrained model's distribution
 * restricted to them), the dislike term and the forgetting guard read the same candidates, and
 * validation still ranks the whole catalog (one [held-out, items] product). Sequences are read
 * over the run's rows (`sample.rows`, local row numbers); whether those rows train is up to the
 * run's parameters (the weight mechanism trains them, an adapter reads them as a constant table).
 */
export function sampledObjective(x: ObjectiveInput, sample: SampledRows): FinetuneObjective {
  const { model, policy, data } = x;
  const { rows } = sample;
  const cfg = model.config;
  const n = cfg.numItems;
  const vocab = n + 1;
  const local = (ids: ArrayLike<number>) => rows.local(ids);
  const parts = data.parts.map((p) => ({
    ...partTensors(p, local),
    /** Pretrained hidden states at the target positions (distilled parts) [targets, d]. */
    teacherHidden: null as tf.Tensor2D | null,
  }));
  const guard = data.guard ? { ...rowTensors(data.guard, local), teacherLog: null as tf.Tensor2D | null } : null;
  const negT = sample.negatives.map((neg) => tf.tensor1d(rows.local(neg), 'int32'));
  const logQ = tf.fill([rows.ids.length], -Math.log(n)) as tf.Tensor1D; // uniform proposal over items 1..n
  const dislikedLocal = rows.local(data.disliked);
  const userPosT = tf.tensor1d(data.userPositions, 'int32');
  const fullSeqT = tf.tensor2d(rows.local(data.full.data), [1, data.full.len], 'int32');
  const kVal = data.val.heldOut.length;
  const valMaskT = tf.tensor2d(data.val.mask, [kVal, vocab]);
  const valSeqT = tf.tensor2d(data.val.seqs.data, [kVal, data.val.seqs.len], 'int32');
  const valTargetT = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(data.val.heldOut), 'int32'), vocab));
  /** Item vectors of the run's rows under the pretrained weights (teachers), set once. */
  let anchorTable: tf.Tensor2D | null = null;

  const hiddenAt = (p: RowTensors, table: tf.Tensor2D): tf.Tensor2D => {
    const h = model.encode(table, p.seqs, { training: false, params: x.params() ?? undefined }); // [rows, len, d]
    return gatherRows(tf.reshape(h, [p.rows * p.len, cfg.dim]) as tf.Tensor2D, p.pos); // [targets, d]
  };
  /** Scores [rows, K] of hidden states against candidate rows. */
  const against = (h: tf.Tensor2D, table: tf.Tensor2D, cands: tf.Tensor1D) => matmul(h, gatherRows(table, cands), false, true) as tf.Tensor2D;

  return {
    softmax: 'sampled',
    prepareTeachers() {
      // Computed every run, `x.teachers` not read: the teachers here are hidden states over the
      // run's own local rows and table (a per-row cache of them would also need the pretrained
      // item vectors of every sampled negative), and the large catalogs this path serves make a
      // whole-catalog per-row cache (fullObjective's) too big.
      anchorTable = tf.keep(tf.tidy(() => rows.table()));
      const t = anchorTable;
      for (const p of parts) if (p.distill) p.teacherHidden = tf.keep(tf.tidy(() => hiddenAt(p, t)));
      if (guard) guard.teacherLog = tf.keep(tf.tidy(() => logSoftmaxRows(against(hiddenAt(guard, t), t, negT[0]))));
    },
    dataLoss(step: number) {
      const table = rows.table(); // [rows, d]
      const negs = negT[(step - 1) % negT.length];
      let total: tf.Tensor = tf.scalar(0);
      const now = activeParts(parts, step, data.windowSets);
      const weightSum = now.reduce((a, p) => a + p.weightSum, 0);
      if (weightSum > 0) {
        const sums = now.map((p) => {
          const h = hiddenAt(p, table);
          let ce: tf.Tensor1D;
          if (p.distill && p.teacherHidden && anchorTable) {
            const teacher = tf.softmax(against(p.teacherHidden, anchorTable, negs));
            ce = tf.neg(tf.sum(tf.mul(teacher, logSoftmaxRows(against(h, table, negs))), 1)) as tf.Tensor1D;
          } else {
            ce = sampledSoftmaxRows(h, table, p.targets, negs, logQ);
          }
          return tf.sum(tf.mul(ce, p.weights));
        });
        total = tf.div(sumAll(sums), weightSum);
      }
      if (data.hasDislikes) {
        const hFull = tf.reshape(model.encode(table, fullSeqT, { training: false, params: x.params() ?? undefined }), [data.full.len, cfg.dim]) as tf.Tensor2D;
        const hUser = gatherRows(hFull, userPosT); // [positions, d]
        const positions = data.userPositions.length;
        // log p(disliked) against the step's negatives: minus the sampled cross-entropy with the
        // disliked item as the target.
        const logP = Array.from(dislikedLocal, (d) => tf.neg(sampledSoftmaxRows(hUser, table, tf.fill([positions], d, 'int32') as tf.Tensor1D, negs, logQ)));
        const term = tf.mean(tf.softplus(tf.add(tf.concat(logP), Math.log(DISLIKE_TOP_K))));
        total = tf.add(total, tf.mul(term, policy.dislikeWeight));
      }
      return total as tf.Scalar;
    },
    async valLoss() {
      const v = tf.tidy(() => {
        const logits = tf.add(model.scoreLast(valSeqT, rows.fullTable(), x.params() ?? undefined), valMaskT); // [k, vocab]
        return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, valTargetT), 1)));
      });
      return readScalar(v);
    },
    async replayKl() {
      if (!guard?.teacherLog) return 0;
      const teacherLog = guard.teacherLog;
      const v = tf.tidy(() => {
        const table = rows.table();
        const logQNow = logSoftmaxRows(against(hiddenAt(guard, table), table, negT[0]));
        return tf.mean(tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, logQNow)), 1));
      });
      return readScalar(v);
    },
    toRun: (state) => rows.localState(state, cfg.dim),
    toStored: (state) => (rows.rows.trainable ? rows.storedState(state) : state),
    dispose() {
      disposeParts(parts);
      for (const p of parts) p.teacherHidden?.dispose();
      if (guard) for (const t of [guard.seqs, guard.pos, guard.teacherLog]) t?.dispose();
      for (const t of [...negT, logQ, userPosT, fullSeqT, valMaskT, valSeqT, valTargetT, anchorTable]) t?.dispose();
    },
  };
}
