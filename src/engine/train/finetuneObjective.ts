import type * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';
import type { AdamState } from './adam';
import type { FinetunePolicy } from './finetunePolicy';
import type { NextItemPart } from './finetuneParts';

/** The dislike term pushes while a disliked item is within about this many top items. */
export const DISLIKE_TOP_K = 100;

/** What a run's objective is built from (global item ids; `finetune` prepares it). */
export interface ObjectiveInput {
  model: SasRec;
  policy: FinetunePolicy;
  /** Trainable parameter names. */
  names: string[];
  pretrained: ReadonlyMap<string, tf.Tensor>;
  /** The person's part (targets weighted) and the replay part (distilled toward the pretrained model). */
  parts: { part: NextItemPart; distill: boolean }[];
  /** Sum of every part's target weights (the next-item terms are divided by it). */
  weightSum: number;
  /** Forgetting-guard exemplars (not trained on), or null. */
  guard: NextItemPart | null;
  /** The whole sequence, right-aligned [1, len], and the positions the dislike term reads. */
  full: { data: Int32Array; len: number };
  userPositions: Int32Array;
  /** Distinct disliked ids (empty: no dislike term). */
  disliked: number[];
  /** Held-out validation: prefixes packed [k, len], targets, and a [k, vocab] mask of excluded items. */
  val: { seqs: { data: Int32Array; len: number }; heldOut: number[]; mask: Float32Array };
  /** Seeds the negatives (sampled softmax): the same input gives the same run. */
  seed: number;
}

/** One softmax's view of a run: variables, losses and how the result maps back to the model. */
export interface FinetuneObjective {
  readonly softmax: 'full' | 'sampled';
  /** Trained variables by parameter name (sampled: `item_emb` is the run's rows). */
  readonly vars: Map<string, tf.Variable>;
  /** The pretrained value of each variable, same shapes. */
  readonly anchor: Map<string, tf.Tensor>;
  /** Called once with the anchor weights in `vars`: computes the replay and guard teachers. */
  prepareTeachers(): void;
  /** Next-item and dislike terms of step `step` (1-based), to be differentiated. */
  dataLoss(step: number): tf.Scalar;
  /** Mean cross-entropy of the held-out items over the whole catalog (as the feed ranks). */
  valLoss(): Promise<number>;
  /** Mean KL(pretrained || current) on the guard exemplars (0 without a guard). */
  replayKl(): Promise<number>;
  /** `snapshot` (keyed like `vars`) as full-size parameters for callers; dispose the result. */
  expand(snapshot: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor>;
  /** Ends the run: the kept variables go into the model's parameters. */
  finish(): void;
  /** Adam state for `vars` from a stored one, and back. */
  toRun(state: AdamState): AdamState;
  toStored(state: AdamState): AdamState;
  dispose(): void;
}
