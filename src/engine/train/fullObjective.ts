import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../model/gatherRows';
import { matmul } from '../model/matmul';
import { padColumnBias } from '../model/sasrec';
import type { AdamState } from './adam';
import { DISLIKE_TOP_K, type FinetuneObjective, type ObjectiveInput } from './finetuneObjective';
import { readScalar, sumAll, type NextItemPart } from './finetuneParts';
import { logSumExpRows } from './logSumExpRows';
import { withRows } from './sparseRows';

interface PartTensors {
  seqs: tf.Tensor2D;
  pos: tf.Tensor1D;
  rows: number;
  len: number;
}

function partTensors(p: NextItemPart): PartTensors {
  return { seqs: tf.tensor2d(p.data, [p.rows, p.len], 'int32'), pos: tf.tensor1d(p.positions, 'int32'), rows: p.rows, len: p.len };
}

/**
 * The full-softmax objective (catalogs up to `SAMPLED_SOFTMAX_ABOVE` items): every next-item term
 * is a softmax over the whole catalog, [positions, items] logits per part; replay rows are
 * distilled toward the pretrained model's whole next-item distribution.
 */
export function fullObjective(x: ObjectiveInput): FinetuneObjective {
  const { model, policy, names } = x;
  const cfg = model.config;
  const vocab = cfg.numItems + 1;
  const vars = new Map(names.map((n) => [n, model.w(n)]));
  const anchor = new Map(names.map((n) => [n, x.pretrained.get(n) as tf.Tensor]));
  const parts = x.parts.map(({ part, distill }) => ({
    ...partTensors(part),
    targets: tf.tensor1d(part.targets, 'int32'),
    weights: tf.tensor1d(part.weights),
    distill,
    /** Pretrained next-item distribution at each position (distilled parts). */
    teacher: null as tf.Tensor2D | null,
  }));
  const guard = x.guard ? { ...partTensors(x.guard), teacherLog: null as tf.Tensor2D | null } : null;
  const hasDislikes = x.disliked.length > 0 && policy.dislikeWeight > 0;
  const pick = new Float32Array(vocab * Math.max(1, x.disliked.length));
  x.disliked.forEach((d, j) => { pick[d * x.disliked.length + j] = 1; });
  const pickT = tf.tensor2d(pick, [vocab, Math.max(1, x.disliked.length)]);
  const userPosT = tf.tensor1d(x.userPositions, 'int32');
  const fullSeqT = tf.tensor2d(x.full.data, [1, x.full.len], 'int32');
  const padBias = padColumnBias(vocab);
  const k = x.val.heldOut.length;
  const valMaskT = tf.tensor2d(x.val.mask, [k, vocab]);
  const valSeqT = tf.tensor2d(x.val.seqs.data, [k, x.val.seqs.len], 'int32');
  const valTargetT = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(x.val.heldOut), 'int32'), vocab));

  /** Logits [rows, vocab] of hidden states [rows, d] (matmul.ts: fast on WASM forward and backward). */
  const logitsOf = (h: tf.Tensor2D, table: tf.Tensor2D) => tf.add(matmul(h, table, false, true), padBias) as tf.Tensor2D;
  const partLogits = (p: PartTensors, table: tf.Tensor2D): tf.Tensor2D => {
    const h = model.encode(table, p.seqs, { training: false }); // [rows, len, d]
    const flat = tf.reshape(h, [p.rows * p.len, cfg.dim]) as tf.Tensor2D;
    return logitsOf(gatherRows(flat, p.pos), table);
  };

  return {
    softmax: 'full',
    vars,
    anchor,
    prepareTeachers() {
      for (const p of parts) {
        if (p.distill) p.teacher = tf.tidy(() => tf.softmax(partLogits(p, model.itemTable())) as tf.Tensor2D);
      }
      if (guard) guard.teacherLog = tf.tidy(() => tf.logSoftmax(partLogits(guard, model.itemTable())) as tf.Tensor2D);
    },
    dataLoss() {
      const table = model.itemTable();
      let total: tf.Tensor = tf.scalar(0);
      if (x.weightSum > 0) {
        const sums = parts.map((p) => {
          const logits = partLogits(p, table); // [targets, vocab]
          const target = p.teacher ?? tf.oneHot(p.targets, vocab);
          const ce = tf.sub(logSumExpRows(logits), tf.sum(tf.mul(logits, target), 1));
          return tf.sum(tf.mul(ce, p.weights));
        });
        total = tf.div(sumAll(sums), x.weightSum);
      }
      if (hasDislikes) {
        const hFull = tf.reshape(model.encode(table, fullSeqT, { training: false }), [x.full.len, cfg.dim]) as tf.Tensor2D;
        const logits = logitsOf(gatherRows(hFull, userPosT), table); // [positions, vocab]
        // matmul with a 0/1 pick matrix, not a gather on axis 1 (its gradient needs
        // UnsortedSegmentSum, which WASM lacks).
        const logP = tf.sub(matmul(logits, pickT), tf.expandDims(logSumExpRows(logits), 1)); // [positions, disliked]
        total = tf.add(total, tf.mul(tf.mean(tf.softplus(tf.add(logP, Math.log(DISLIKE_TOP_K)))), policy.dislikeWeight));
      }
      return total as tf.Scalar;
    },
    async valLoss() {
      const v = tf.tidy(() => {
        const logits = tf.add(model.scoreLast(valSeqT), valMaskT); // [k, vocab]
        return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, valTargetT), 1)));
      });
      return readScalar(v);
    },
    async replayKl() {
      if (!guard?.teacherLog) return 0;
      const teacherLog = guard.teacherLog;
      const v = tf.tidy(() => {
        const logQ = tf.logSoftmax(partLogits(guard, model.itemTable()));
        return tf.mean(tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, logQ)), 1));
      });
      return readScalar(v);
    },
    expand: (snapshot) => new Map([...snapshot].map(([n, t]) => [n, tf.clone(t)])),
    finish() {},
    toRun(state: AdamState): AdamState {
      // A state written by a sampled run keeps item_emb moments by rows: spread them out.
      const stored = state.rows?.item_emb;
      const emb = vars.get('item_emb');
      if (!stored || !emb) return { step: state.step, m: state.m, v: state.v };
      const dim = emb.shape[1] as number;
      const zeros = new Float32Array(emb.size);
      return {
        step: state.step,
        m: { ...state.m, item_emb: withRows(zeros, { ids: stored.ids, values: stored.m }, dim) },
        v: { ...state.v, item_emb: withRows(zeros, { ids: stored.ids, values: stored.v }, dim) },
      };
    },
    toStored: (state) => state,
    dispose() {
      for (const p of parts) for (const t of [p.seqs, p.pos, p.targets, p.weights, p.teacher]) t?.dispose();
      for (const t of [pickT, userPosT, fullSeqT, padBias, valSeqT, valMaskT, valTargetT]) t.dispose();
      if (guard) for (const t of [guard.seqs, guard.pos, guard.teacherLog]) t?.dispose();
    },
  };
}
