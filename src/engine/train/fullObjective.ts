import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../model/gatherRows';
import { matmul } from '../model/matmul';
import { padColumnBias } from '../model/sasrec';
import type { AdamState } from './adam';
import { activeParts, disposeParts, partTensors, rowTensors, type RowTensors } from './finetuneData';
import { DISLIKE_TOP_K, type FinetuneObjective, type ObjectiveInput } from './finetuneObjective';
import { logSumExpRows } from './logSumExpRows';
import { readScalar, sumAll } from './scalars';
import { withRows } from './sparseRows';
import { partTeacher } from './teacherCache';

/**
 * The full-softmax objective (catalogs up to `SAMPLED_SOFTMAX_ABOVE` items): every next-item term
 * is a softmax over the whole catalog, [positions, items] logits per part; replay rows are
 * distilled toward the pretrained model's whole next-item distribution.
 */
export function fullObjective(x: ObjectiveInput): FinetuneObjective {
  const { model, policy, data } = x;
  const cfg = model.config;
  const vocab = cfg.numItems + 1;
  const parts = data.parts.map((p) => ({
    ...partTensors(p),
    source: p,
    /** Pretrained next-item distribution at each position (distilled parts), owned by the run. */
    teacher: null as tf.Tensor2D | null,
  }));
  const guard = data.guard ? { ...rowTensors(data.guard), teacherLog: null as tf.Tensor2D | null } : null;
  const nDisliked = data.disliked.length;
  const pick = new Float32Array(vocab * Math.max(1, nDisliked));
  data.disliked.forEach((d, j) => { pick[d * nDisliked + j] = 1; });
  const pickT = tf.tensor2d(pick, [vocab, Math.max(1, nDisliked)]);
  const userPosT = tf.tensor1d(data.userPositions, 'int32');
  const fullSeqT = tf.tensor2d(data.full.data, [1, data.full.len], 'int32');
  const padBias = padColumnBias(vocab);
  const k = data.val.heldOut.length;
  const valMaskT = tf.tensor2d(data.val.mask, [k, vocab]);
  const valSeqT = tf.tensor2d(data.val.seqs.data, [k, data.val.seqs.len], 'int32');
  const valTargetT = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(data.val.heldOut), 'int32'), vocab));

  const encode = (table: tf.Tensor2D, seqs: tf.Tensor2D) => model.encode(table, seqs, { training: false, params: x.params() ?? undefined }); // [rows, len, d]
  /** Logits [rows, vocab] of hidden states [rows, d] (matmul.ts: fast on WASM forward and backward). */
  const logitsOf = (h: tf.Tensor2D, table: tf.Tensor2D) => tf.add(matmul(h, table, false, true), padBias) as tf.Tensor2D;
  const partLogits = (p: RowTensors, table: tf.Tensor2D): tf.Tensor2D => {
    const flat = tf.reshape(encode(table, p.seqs), [p.rows * p.len, cfg.dim]) as tf.Tensor2D;
    return logitsOf(gatherRows(flat, p.pos), table);
  };

  return {
    softmax: 'full',
    prepareTeachers() {
      const teacherOf = (p: RowTensors) => tf.tidy(() => tf.softmax(partLogits(p, model.itemTable())) as tf.Tensor2D);
      for (const p of parts) {
        if (!p.distill) continue;
        // With a cache (`x.teachers`), only the rows it does not hold are computed (a part of
        // just those rows, through the same path), and the part's teacher is assembled per row.
        const cache = x.teachers;
        p.teacher = cache
          ? partTeacher(p.source, cache, cfg.maxLen, vocab, (missing) => tf.tidy(() => teacherOf(rowTensors(missing))))
          : teacherOf(p);
      }
      if (guard) guard.teacherLog = tf.tidy(() => tf.logSoftmax(partLogits(guard, model.itemTable())) as tf.Tensor2D);
    },
    dataLoss(step: number) {
      const table = model.itemTable();
      let total: tf.Tensor = tf.scalar(0);
      const now = activeParts(parts, step, data.windowSets);
      const weightSum = now.reduce((a, p) => a + p.weightSum, 0);
      if (weightSum > 0) {
        const sums = now.map((p) => {
          const logits = partLogits(p, table); // [targets, vocab]
          const target = p.teacher ?? tf.oneHot(p.targets, vocab);
          const ce = tf.sub(logSumExpRows(logits), tf.sum(tf.mul(logits, target), 1));
          return tf.sum(tf.mul(ce, p.weights));
        });
        total = tf.div(sumAll(sums), weightSum);
      }
      // Dislike term, read at every position of the whole sequence (the newest item included as
      // context: the feed ranks from there; it is never a target): softplus(log p(disliked) + log K)
      // = log(1 + K p), a strong push while a disliked item is within about the top K of the ranking
      // that fades once it is out of the way (the old -log(1 - p) had a gradient of only ~p).
      if (data.hasDislikes) {
        const hFull = tf.reshape(encode(table, fullSeqT), [data.full.len, cfg.dim]) as tf.Tensor2D;
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
        const logits = tf.add(model.scoreLast(valSeqT, undefined, x.params() ?? undefined), valMaskT); // [k, vocab]
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
    toRun(state: AdamState): AdamState {
      // A state written by a sampled run keeps item_emb moments by rows: spread them out.
      const stored = state.rows?.item_emb;
      if (!stored) return { step: state.step, m: state.m, v: state.v };
      const emb = model.w('item_emb');
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
      disposeParts(parts);
      for (const p of parts) p.teacher?.dispose();
      for (const t of [pickT, userPosT, fullSeqT, padBias, valSeqT, valMaskT, valTargetT]) t.dispose();
      if (guard) for (const t of [guard.seqs, guard.pos, guard.teacherLog]) t?.dispose();
    },
  };
}
