import * as tf from '@tensorflow/tfjs';
import type { SasRecConfig } from '../model/config';
import { NEG_INF } from '../model/layers';
import type { FinetunePolicy } from './finetunePolicy';
import { historyWindows, nextItemPart, packRows, windowSchedule, type NextItemPart } from './finetuneRows';

/** Next-item rows of one part of a run: a set of the person's windows, or the replay rows. */
export interface FinetunePart extends NextItemPart {
  /** Replay rows: trained toward the pretrained model's predictions, not their next items. */
  distill: boolean;
  /** The window set it belongs to (trained at steps s with (s - 1) mod windowSets = set); -1: every step. */
  set: number;
  /** Sum of its target weights. */
  weightSum: number;
}

/**
 * What one fine-tuning run reads, as global item ids (no tensors: each objective makes its own,
 * the sampled one over the run's local rows).
 */
export interface FinetuneData {
  parts: FinetunePart[];
  /** Number of window sets the person's history is split into (at least 1). */
  windowSets: number;
  /** Exemplars of other people the run does not train on, read by the forgetting guard; or null. */
  guard: NextItemPart | null;
  /** The whole (newest window of the) sequence, right-aligned [1, len], and the positions the dislike term reads. */
  full: { data: Int32Array; len: number };
  userPositions: Int32Array;
  /** Distinct disliked ids inside the catalog. */
  disliked: number[];
  /** The dislike term is on (disliked items and a dislike weight). */
  hasDislikes: boolean;
  /** Validation: each held-out item after the items before it (packed [k, len]), and a [k, vocab] mask of excluded items. */
  val: { seqs: { data: Int32Array; len: number }; heldOut: number[]; mask: Float32Array };
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
 * Lays out one run: the person's training windows (a history longer than the window trains in
 * windows of it: the newest every step, the older ones in turn, policy.maxWindows per step),
 * distilled replay rows, the forgetting guard's rows, the dislike term's inputs and the
 * validation set. Replay rows are distilled: their targets are the pretrained model's next-item
 * distribution (computed once per run), not the sampled next items, so they pull the model back
 * toward what it predicted for everyone else without adding sampling noise.
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
  ].filter((p) => p.targets.length > 0).map((p) => ({ ...p, weightSum: p.weights.reduce((x, y) => x + y, 0) }));
  // Dislike term inputs: every position of the whole sequence (the newest item included as context).
  const full = packRows([seq], cfg.maxLen);
  const userPositions: number[] = [];
  for (let j = 0; j < Math.min(seq.length, full.len); j++) userPositions.push(full.len - 1 - j);
  const disliked = [...new Set(input.disliked)].filter((d) => d > 0 && d < vocab);
  // Validation ranks like the feed: each held-out item after the items before it, with those
  // items and disliked items out of the ranking.
  const valPrefixes = heldOut.map((_, j) => seq.slice(0, seq.length - k + j));
  const valMask = new Float32Array(k * vocab);
  valPrefixes.forEach((prefix, j) => {
    for (const i of [...prefix, ...input.disliked]) if (i > 0 && i < vocab && i !== heldOut[j]) valMask[j * vocab + i] = NEG_INF;
  });
  return {
    parts,
    windowSets: schedule.length,
    guard: guardRows.length > 0 ? nextItemPart(guardRows, cfg.maxLen, () => 1) : null,
    full,
    userPositions: Int32Array.from(userPositions),
    disliked,
    hasDislikes: disliked.length > 0 && policy.dislikeWeight > 0,
    val: { seqs: packRows(valPrefixes, cfg.maxLen), heldOut, mask: valMask },
  };
}

/** The parts step `step` (1-based) trains: the person's window set (step - 1) mod windowSets, and the replay rows. */
export function activeParts<T extends { set: number }>(parts: readonly T[], step: number, windowSets: number): T[] {
  return parts.filter((p) => p.set < 0 || p.set === (step - 1) % windowSets);
}

/** Packed rows as tensors: sequences [rows, len] and the flat positions (row * len + col) that predict a target. */
export interface RowTensors {
  seqs: tf.Tensor2D;
  pos: tf.Tensor1D;
  rows: number;
  len: number;
}

/** A part as tensors (targets, weights and its set besides the rows). */
export interface PartTensors extends RowTensors {
  targets: tf.Tensor1D;
  weights: tf.Tensor1D;
  distill: boolean;
  set: number;
  weightSum: number;
}

const sameIds = (ids: Int32Array): Int32Array => ids;

/** `p`'s rows as tensors, item ids mapped by `ids` (sampled softmax: to the run's local rows). */
export function rowTensors(p: NextItemPart, ids: (global: Int32Array) => Int32Array = sameIds): RowTensors {
  return { seqs: tf.tensor2d(ids(p.data), [p.rows, p.len], 'int32'), pos: tf.tensor1d(p.positions, 'int32'), rows: p.rows, len: p.len };
}

/** A part's tensors, item ids mapped by `ids`; free them with `disposeParts`. */
export function partTensors(p: FinetunePart, ids: (global: Int32Array) => Int32Array = sameIds): PartTensors {
  return {
    ...rowTensors(p, ids),
    targets: tf.tensor1d(ids(p.targets), 'int32'),
    weights: tf.tensor1d(p.weights),
    distill: p.distill,
    set: p.set,
    weightSum: p.weightSum,
  };
}

export function disposeParts(parts: readonly PartTensors[]): void {
  for (const p of parts) for (const t of [p.seqs, p.pos, p.targets, p.weights]) t.dispose();
}
