import type * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';
import type { AdamState } from './adam';
import type { FinetuneData } from './finetuneData';
import { Rng } from './rng';
import { changedRowIds, TrainedRows } from './rowTraining';
import { distinctIds } from './sparseRows';

/** The item rows and negatives of one sampled-softmax run; the caller disposes `rows`. */
export interface SampledRows {
  /** The run's item rows: every item the run reads, trained when `item_emb` is. */
  rows: TrainedRows;
  /** Negatives of each step (global ids, step s uses s - 1), drawn uniformly from 1..numItems. */
  negatives: Int32Array[];
}

export interface SampledRowsInput {
  data: FinetuneData;
  /** Steps of the run (one set of negatives each) and negatives per step. */
  steps: number;
  sampledNegatives: number;
  /** The run trains `item_emb` (the weight mechanism); else the rows are a constant local table. */
  trains: boolean;
  /** Seeds the negatives: the same input gives the same run. */
  seed: number;
  /** The stored optimizer state (its row-stored moments keep their rows in the run). */
  state: AdamState | null;
}

/**
 * Chooses the rows a sampled run works with: the person's (every window set), replay, guard,
 * held-out and disliked items, each step's negatives, and, when `item_emb` trains, the rows
 * earlier runs changed (model vs pretrained) or hold stored Adam moments, so they stay in step.
 * Made before the run's parameters and objective, which both read it.
 */
export async function sampledRows(model: SasRec, pretrained: ReadonlyMap<string, tf.Tensor>, x: SampledRowsInput): Promise<SampledRows> {
  const n = model.config.numItems;
  const vocab = n + 1;
  const rng = new Rng(x.seed);
  const k = Math.min(x.sampledNegatives, n);
  const negatives = Array.from({ length: x.steps }, () => Int32Array.from({ length: k }, () => rng.int(1, vocab)));
  const kept = x.trains ? await rowsToKeep(model, pretrained, x.state) : new Int32Array(0);
  const { data } = x;
  const ids = distinctIds([
    [0], data.full.data, data.val.heldOut, data.disliked, kept, ...negatives,
    ...data.parts.map((p) => p.data), data.guard?.data ?? [],
  ], 0, vocab);
  return { rows: new TrainedRows(model, ids, x.trains), negatives };
}

/**
 * Item rows a run that trains `item_emb` must include: those where the model's `item_emb`
 * differs from the pretrained one (earlier runs) and those with stored Adam moments.
 */
async function rowsToKeep(model: SasRec, pretrained: ReadonlyMap<string, tf.Tensor>, state: AdamState | null): Promise<Int32Array> {
  const base = pretrained.get('item_emb');
  if (!base) return new Int32Array(0);
  const changed = await changedRowIds(model.w('item_emb'), base);
  const stored = state?.rows?.item_emb?.ids ?? new Int32Array(0);
  return Int32Array.from(new Set([...changed, ...stored]));
}
