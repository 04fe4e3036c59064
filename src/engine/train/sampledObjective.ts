import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../model/gatherRows';
import { matmul } from '../model/matmul';
import { DISLIKE_TOP_K, type FinetuneObjective, type ObjectiveInput } from './finetuneObjective';
import { readScalar, sumAll, type NextItemPart } from './finetuneParts';
import { logSumExpRows } from './logSumExpRows';
import { sampledSoftmaxRows } from './losses';
import { Rng } from './rng';
import { TrainedRows } from './rowTraining';
import { distinctIds } from './sparseRows';

interface LocalPart {
  seqs: tf.Tensor2D;
  pos: tf.Tensor1D;
  rows: number;
  len: number;
}

/** log(softmax) along rows, with the gradient of `logSumExpRows` (WASM-safe). */
const logSoftmaxRows = (x: tf.Tensor2D): tf.Tensor2D => tf.sub(x, tf.expandDims(logSumExpRows(x), 1)) as tf.Tensor2D;

/**
 * The sampled-softmax objective for large catalogs: no step forms [positions, items] logits.
 * Each step draws `sampledNegatives` items uniformly, shared by every position; a target competes
 * with them under the log-Q correction of the pretraining `sampled` loss (`sampledSoftmaxRows`).
 * Replay rows are distilled over the step's negatives (the pretrained model's distribution
 * restricted to them), the dislike term and the forgetting guard read the same candidates, and
 * validation still ranks the whole catalog (one [held-out, items] product). Only the run's item
 * rows are trained (`TrainedRows`). `extraRows`: rows that must be kept in step (earlier changes).
 */
export async function sampledObjective(x: ObjectiveInput, extraRows: Int32Array): Promise<FinetuneObjective> {
  const { model, policy, names } = x;
  const cfg = model.config;
  const n = cfg.numItems;
  const vocab = n + 1;
  const rng = new Rng(x.seed);
  const k = Math.min(policy.sampledNegatives, n);
  const negatives = Array.from({ length: policy.steps }, () => Int32Array.from({ length: k }, () => rng.int(1, vocab)));
  const ids = distinctIds([
    [0], x.full.data, x.val.heldOut, x.disliked, extraRows, ...negatives,
    ...x.parts.map((p) => p.part.data), x.guard?.data ?? [],
  ], 0, vocab);
  const trainsRows = names.includes('item_emb');
  const rows = new TrainedRows(model, ids, trainsRows);
  const vars = new Map(names.map((name) => [name, name === 'item_emb' ? rows.rows : model.w(name)]));
  const anchor = new Map(names.map((name) => {
    const p = x.pretrained.get(name) as tf.Tensor;
    return [name, name === 'item_emb' ? rows.gatherFrom(p) : p] as [string, tf.Tensor];
  }));
  const toLocal = (p: NextItemPart): LocalPart => ({
    seqs: tf.tensor2d(rows.local(p.data), [p.rows, p.len], 'int32'), pos: tf.tensor1d(p.positions, 'int32'), rows: p.rows, len: p.len,
  });
  const parts = x.parts.map(({ part, distill }) => ({
    ...toLocal(part),
    targets: tf.tensor1d(rows.local(part.targets), 'int32'),
    weights: tf.tensor1d(part.weights),
    distill,
    /** Pretrained hidden states at the target positions (distilled parts) [targets, d]. */
    teacherHidden: null as tf.Tensor2D | null,
  }));
  const guard = x.guard ? { ...toLocal(x.guard), teacherLog: null as tf.Tensor2D | null } : null;
  const negT = negatives.map((neg) => tf.tensor1d(rows.local(neg), 'int32'));
  const logQ = tf.fill([ids.length], -Math.log(n)) as tf.Tensor1D; // uniform proposal over items 1..n
  const hasDislikes = x.disliked.length > 0 && policy.dislikeWeight > 0;
  const dislikedLocal = rows.local(x.disliked);
  const userPosT = tf.tensor1d(x.userPositions, 'int32');
  const fullSeqT = tf.tensor2d(rows.local(x.full.data), [1, x.full.len], 'int32');
  const kVal = x.val.heldOut.length;
  const valMaskT = tf.tensor2d(x.val.mask, [kVal, vocab]);
  const valSeqT = tf.tensor2d(x.val.seqs.data, [kVal, x.val.seqs.len], 'int32');
  const valTargetT = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(x.val.heldOut), 'int32'), vocab));
  /** Item vectors of the run's rows under the pretrained weights (teachers), set once. */
  let anchorTable: tf.Tensor2D | null = null;

  const hiddenAt = (p: LocalPart, table: tf.Tensor2D): tf.Tensor2D => {
    const h = model.encode(table, p.seqs, { training: false }); // [rows, len, d]
    return gatherRows(tf.reshape(h, [p.rows * p.len, cfg.dim]) as tf.Tensor2D, p.pos); // [targets, d]
  };
  /** Scores [rows, K] of hidden states against candidate rows. */
  const against = (h: tf.Tensor2D, table: tf.Tensor2D, cands: tf.Tensor1D) => matmul(h, gatherRows(table, cands), false, true) as tf.Tensor2D;

  return {
    softmax: 'sampled',
    vars,
    anchor,
    prepareTeachers() {
      anchorTable = tf.keep(tf.tidy(() => rows.table()));
      const t = anchorTable;
      for (const p of parts) if (p.distill) p.teacherHidden = tf.keep(tf.tidy(() => hiddenAt(p, t)));
      if (guard) guard.teacherLog = tf.keep(tf.tidy(() => logSoftmaxRows(against(hiddenAt(guard, t), t, negT[0]))));
    },
    dataLoss(step: number) {
      const table = rows.table(); // [rows, d]
      const negs = negT[(step - 1) % negT.length];
      let total: tf.Tensor = tf.scalar(0);
      if (x.weightSum > 0) {
        const sums = parts.map((p) => {
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
        total = tf.div(sumAll(sums), x.weightSum);
      }
      if (hasDislikes) {
        const hFull = tf.reshape(model.encode(table, fullSeqT, { training: false }), [x.full.len, cfg.dim]) as tf.Tensor2D;
        const hUser = gatherRows(hFull, userPosT); // [positions, d]
        const positions = x.userPositions.length;
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
        const logits = tf.add(model.scoreLast(valSeqT, rows.fullTable()), valMaskT); // [k, vocab]
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
    expand: (snapshot) => new Map([...snapshot].map(([name, t]) => [name, name === 'item_emb' ? rows.expand(t) : tf.clone(t)])),
    finish() {
      if (trainsRows) rows.writeBack();
    },
    toRun: (state) => rows.localState(state, cfg.dim),
    toStored: (state) => (trainsRows ? rows.storedState(state) : state),
    dispose() {
      for (const p of parts) for (const t of [p.seqs, p.pos, p.targets, p.weights, p.teacherHidden]) t?.dispose();
      if (guard) for (const t of [guard.seqs, guard.pos, guard.teacherLog]) t?.dispose();
      for (const t of [...negT, logQ, userPosT, fullSeqT, valMaskT, valSeqT, valTargetT, anchorTable]) t?.dispose();
      anchor.get('item_emb')?.dispose();
      rows.dispose();
    },
  };
}
