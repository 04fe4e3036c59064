import * as tf from '@tensorflow/tfjs';
import type { SasRecConfig } from '../model/config';
import { NEG_INF } from '../model/layers';
import { padColumnBias } from '../model/sasrec';
import type { FinetunePolicy } from './finetunePolicy';
import { historyWindows, nextItemPart, packRows, windowSchedule } from './finetuneRows';

/** Next-item rows of one part as tensors: a set of the person's windows, or the replay rows. */
export interface PartTensors {
  seqs: tf.Tensor2D; // [rows, len]
  pos: tf.Tensor1D; // flat positions (row * len + col) that predict a target
  targets: tf.Tensor1D;
  weights: tf.Tensor1D;
  rows: number;
  len: number;
  /** Replay rows: trained toward the pretrained model's predictions (`teacher`). */
  distill: boolean;
  /** The window set it belongs to (trained at steps s with (s - 1) mod windowSets = set); -1: every step. */
  set: number;
  weightSum: number;
  /** Pretrained next-item distribution at each position (distilled parts), set in the run. */
  teacher: tf.Tensor2D | null;
}

/** Exemplars of other people the run does not train on, read by the forgetting guard. */
export interface GuardTensors {
  seqs: tf.Tensor2D;
  pos: tf.Tensor1D;
  rows: number;
  len: number;
  /** Pretrained log-probabilities at each position, set in the run. */
  teacherLog: tf.Tensor2D | null;
}

/** Everything one fine-tuning run reads, as tensors; `dispose()` frees them (teachers included). */
export interface FinetuneData {
  parts: PartTensors[];
  /** Number of window sets the person's history is split into (at least 1). */
  windowSets: number;
  guard: GuardTensors | null;
  /** The dislike term is on (disliked items and a dislike weight). */
  hasDislikes: boolean;
  /** 0/1 matrix picking the disliked items' columns: [vocab, max(1, disliked)]. */
  pick: tf.Tensor2D;
  /** The whole (windowed) sequence [1, fullLen] and its positions the dislike term reads. */
  fullSeq: tf.Tensor2D;
  fullLen: number;
  userPos: tf.Tensor1D;
  /** NEG_INF on column 0 (padding): [vocab]. */
  padBias: tf.Tensor;
  /** Validation: each held-out item after the items before it [k, len], masks [k, vocab], one-hot targets [k, vocab]. */
  valSeq: tf.Tensor2D;
  valMask: tf.Tensor2D;
  valTarget: tf.Tensor2D;
  dispose(): void;
}

export interface FinetuneDataInput {
  /** Positive items, oldest first (already cut to policy.maxSequence); the newest `k` are held out. */
  seq: readonly number[];
  /** Target weight of each `seq` item. */
  weights: readonly number[];
  disliked: readonly number[];
  /** Number of held-out items. */
  k: number;
  policy: FinetunePolicy;
  replay: readonly (readonly number[])[];
}

/**
 * Builds the tensors of one run: the person's training windows (a history longer than the
 * window trains in windows of it: the newest every step, the older ones in turn, policy.maxWindows
 * per step), distilled replay rows, the forgetting guard's rows, the dislike term's inputs and the
 * validation set. Replay rows are distilled: their targets are the pretrained model's whole
 * next-item distribution (computed once per run), not the sampled next items, so they pull the
 * model back toward what it predicted for everyone else without adding sampling noise.
 */
export function finetuneData(cfg: SasRecConfig, input: FinetuneDataInput): FinetuneData {
  const { seq, k, policy } = input;
  const vocab = cfg.numItems + 1;
  const heldOut = seq.slice(-k);
  const trainSeq = seq.slice(0, -k);
  const trainW = input.weights.slice(0, -k);
  // `replayRows` exemplars, a different window of the pool each run (chosen by the history length).
  const pool = input.replay.filter((r) => r.length >= 2);
  const take = Math.min(policy.replayRows, pool.length);
  const replay = Array.from({ length: take }, (_, i) => pool[(seq.length * 7 + i) % pool.length]);
  // The forgetting guard reads the next exemplars of the pool, which this run does not train on.
  const guardTake = policy.maxReplayKl > 0 ? Math.min(policy.replayRows, pool.length - take) : 0;
  const guardRows = Array.from({ length: guardTake }, (_, i) => pool[(seq.length * 7 + take + i) % pool.length]);
  const schedule = windowSchedule(historyWindows(trainSeq.length, cfg.maxLen, Number.MAX_SAFE_INTEGER), policy.maxWindows, policy.steps);
  const parts = [
    ...schedule.map((ws, set) => ({ ...nextItemPart(ws.map((w) => trainSeq.slice(w.start, w.end)), cfg.maxLen, (row, j) => trainW[ws[row].start + j]), distill: false, set })),
    { ...nextItemPart(replay, cfg.maxLen, () => policy.replayWeight), distill: true, set: -1 },
  ].filter((p) => p.targets.length > 0);
  // Dislike term inputs: every position of the whole sequence (the newest item included as context).
  const full = packRows([seq], cfg.maxLen);
  const userPositions: number[] = [];
  for (let j = 0; j < Math.min(seq.length, full.len); j++) userPositions.push(full.len - 1 - j);
  const dislikedIds = [...new Set(input.disliked)].filter((d) => d > 0 && d < vocab);
  const pick = new Float32Array(vocab * Math.max(1, dislikedIds.length));
  dislikedIds.forEach((d, j) => { pick[d * dislikedIds.length + j] = 1; });
  // Validation ranks like the feed: each held-out item after the items before it, with those
  // items and disliked items out of the ranking.
  const valPrefixes = heldOut.map((_, j) => seq.slice(0, seq.length - k + j));
  const valMask = new Float32Array(k * vocab);
  valPrefixes.forEach((prefix, j) => {
    for (const i of [...prefix, ...input.disliked]) if (i > 0 && i < vocab && i !== heldOut[j]) valMask[j * vocab + i] = NEG_INF;
  });
  const valRows = packRows(valPrefixes, cfg.maxLen);

  const partTensors: PartTensors[] = parts.map((p) => ({
    seqs: tf.tensor2d(p.data, [p.rows, p.len], 'int32'),
    pos: tf.tensor1d(p.positions, 'int32'),
    targets: tf.tensor1d(p.targets, 'int32'),
    weights: tf.tensor1d(p.weights),
    rows: p.rows,
    len: p.len,
    distill: p.distill,
    set: p.set,
    weightSum: p.weights.reduce((x, y) => x + y, 0),
    teacher: null,
  }));
  const guard: GuardTensors | null = guardRows.length > 0 ? (() => {
    const p = nextItemPart(guardRows, cfg.maxLen, () => 1);
    return { seqs: tf.tensor2d(p.data, [p.rows, p.len], 'int32'), pos: tf.tensor1d(p.positions, 'int32'), rows: p.rows, len: p.len, teacherLog: null };
  })() : null;
  const data: FinetuneData = {
    parts: partTensors,
    windowSets: schedule.length,
    guard,
    hasDislikes: dislikedIds.length > 0 && policy.dislikeWeight > 0,
    pick: tf.tensor2d(pick, [vocab, Math.max(1, dislikedIds.length)]),
    fullSeq: tf.tensor2d(full.data, [1, full.len], 'int32'),
    fullLen: full.len,
    userPos: tf.tensor1d(Int32Array.from(userPositions), 'int32'),
    padBias: padColumnBias(vocab),
    valSeq: tf.tensor2d(valRows.data, [k, valRows.len], 'int32'),
    valMask: tf.tensor2d(valMask, [k, vocab]),
    valTarget: tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(heldOut), 'int32'), vocab) as tf.Tensor2D),
    dispose() {
      for (const p of data.parts) for (const t of [p.seqs, p.pos, p.targets, p.weights, p.teacher]) t?.dispose();
      for (const t of [data.pick, data.userPos, data.fullSeq, data.padBias, data.valSeq, data.valMask, data.valTarget]) t.dispose();
      if (data.guard) for (const t of [data.guard.seqs, data.guard.pos, data.guard.teacherLog]) t?.dispose();
    },
  };
  return data;
}
