import type * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';
import type { AdamState } from './adam';
import type { FinetuneData } from './finetuneData';
import type { FinetunePolicy } from './finetunePolicy';
import type { TeacherCache } from './teacherCache';

/** The dislike term pushes while a disliked item is within about this many top items. */
export const DISLIKE_TOP_K = 100;

/** What a run's objective is built from (`finetune` prepares it). */
export interface ObjectiveInput {
  model: SasRec;
  policy: FinetunePolicy;
  /** The run's rows (global item ids), window sets, guard, dislikes and validation set. */
  data: FinetuneData;
  /**
   * Overrides for every forward pass (`FinetuneParams.params`: an adapter's effective weights),
   * called inside the pass's tidy or gradient scope; null = the model's own weights.
   */
  params: () => ReadonlyMap<string, tf.Tensor> | null;
  /**
   * Distillation targets of replay rows kept across runs, per row (`FinetuneInput.teachers`);
   * null = computed per run. Read by the full softmax only.
   */
  teachers: TeacherCache | null;
}

/**
 * One softmax's view of a run: the losses, read through the parameters `FinetuneParams` trains
 * (the objective owns no trained variable). Step s trains the person's window set
 * (s - 1) mod windowSets and the replay rows, the next-item terms divided by those parts' weights.
 */
export interface FinetuneObjective {
  readonly softmax: 'full' | 'sampled';
  /** Called once with the pretrained parameters in effect: computes the replay and guard teachers. */
  prepareTeachers(): void;
  /** Next-item and dislike terms of step `step` (1-based), to be differentiated. */
  dataLoss(step: number): tf.Scalar;
  /** Mean cross-entropy of the held-out items over the whole catalog (as the feed ranks). */
  valLoss(): Promise<number>;
  /** Mean KL(pretrained || current) on the guard exemplars (0 without a guard). */
  replayKl(): Promise<number>;
  /** Adam state for the run's variables from a stored one (row-stored `item_emb` moments), and back. */
  toRun(state: AdamState): AdamState;
  toStored(state: AdamState): AdamState;
  dispose(): void;
}
