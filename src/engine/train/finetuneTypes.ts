import type * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';
import type { AdamState } from './adam';
import type { StoredAdapter } from './adapters';
import type { FinetunePolicy } from './finetunePolicy';
import type { TeacherCache } from './teacherCache';

/** One person's signal, as `interpretEvents` gives it. */
export interface FinetuneHistory {
  /** Positive items, oldest first (the newest one is held out for validation). */
  sequence: readonly number[];
  /** Target weight of each `sequence` item (see SIGNALS.trainWeight). */
  weights: readonly number[];
  /** Explicit negatives. */
  disliked: readonly number[];
}

export interface FinetuneInput {
  /** Updated in place; left unchanged when the run is rolled back. */
  model: SasRec;
  /** The pretrained weights (at least every trainable one): the anchor of regularization and drift. */
  pretrained: ReadonlyMap<string, tf.Tensor>;
  history: FinetuneHistory;
  policy: FinetunePolicy;
  /** Optimizer moments from the previous run (continual learning), or null. */
  optimizerState?: AdamState | null;
  /** The person's adapter from the previous run (policy.adapter other than 'none'), or null. */
  adapter?: StoredAdapter | null;
  /** Exemplar sequences of other people mixed in (replay against forgetting). */
  replay?: readonly (readonly number[])[];
  /**
   * The replay rows' distillation targets kept across runs, per exemplar row (a run reads a
   * different window of the pool each time; only rows not in the cache are computed). They
   * depend only on the pretrained weights and the rows: the owner of `pretrained` holds the cache
   * and disposes it with them (the app's `LiveModel`). Absent: computed every run. The full
   * softmax uses it; the sampled one (large catalogs) computes its teachers per run.
   */
  teachers?: TeacherCache;
  onStep?: (step: number, of: number, loss: number) => void;
  /**
   * Called when a validation passed: `weights` (the changed model weights by name; for an adapter,
   * pretrained + adapter) may be served at once. After a regular validation they are what the
   * run keeps at least (it ends accepted with these or later, better-validated weights); after the
   * early look (`policy.firstValidation`) the run may still roll back, and the caller then puts
   * its own weights back. Valid only during the call: clone or assign, do not dispose.
   */
  onImproved?: (step: number, weights: ReadonlyMap<string, tf.Tensor>) => Promise<void> | void;
  /** Checked between steps; an aborted run is rolled back. */
  signal?: AbortSignal;
}

export interface FinetuneResult {
  /** Steps whose weights were kept (0 when rolled back or skipped). */
  steps: number;
  /** Steps actually run. */
  ran: number;
  /** The weights changed and should be stored (trained steps kept, or a reset). */
  accepted: boolean;
  /** Nothing was kept and the weights went back to the pretrained ones (see `finetune`). */
  reset: boolean;
  reason: string;
  /**
   * Cross-entropy of the held-out most recent item before and after (null when skipped), over the
   * items the feed could show (context and disliked items excluded, as in ranking).
   */
  valBefore: number | null;
  valAfter: number | null;
  /** The same loss under the pretrained weights (the bar is min(valBefore, valPretrained) + tolerance). */
  valPretrained: number | null;
  /** ||w - w0|| / ||w0|| over the trainable parameters after the run. */
  drift: number;
  /** Optimizer state to store with the checkpoint (the input state when rolled back). */
  optimizerState: AdamState | null;
  /** Names of the model parameters that may differ from the pretrained model. */
  trainable: string[];
  /**
   * The person's adapter to store (policy.adapter other than 'none'): the trained one when
   * accepted, the input one when rolled back, null after a reset or for the weight mechanisms.
   * The model's adapted weights hold pretrained + this adapter after an accepted run.
   */
  adapter: StoredAdapter | null;
  /**
   * Forgetting guard (policy.maxReplayKl > 0 with spare exemplars): KL from the pretrained to the
   * kept weights' predictions on the guard exemplars (nats per position), and whether the guard
   * ended the run. null / false when the guard was off.
   */
  replayKl: number | null;
  guardStopped: boolean;
  /** The softmax the run used ('sampled' on large catalogs, see `softmaxFor`). */
  softmax: 'full' | 'sampled';
}
