import * as tf from '@tensorflow/tfjs';
import { SasRec } from '../model/sasrec';
import type { SignalView } from '../signals';
import type { StoredCheckpoint } from '../store/localStore';
import { finetune, type FinetuneResult } from '../train/finetune';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { changedRowIds } from '../train/rowTraining';
import { ROW_PARAMETERS, type SparseRows } from '../train/sparseRows';
import type { TeacherCache } from '../train/teacherCache';

export interface TrainCheckpointInput {
  /** The live model (not modified: training runs on a copy). */
  model: SasRec;
  pretrained: ReadonlyMap<string, tf.Tensor>;
  modelId: string;
  history: SignalView;
  /** Number of stored events the history came from. */
  eventCount: number;
  policy: FinetunePolicy;
  previous: StoredCheckpoint | null;
  replay?: readonly (readonly number[])[];
  /** The replay rows' distillation targets, kept per row across runs by the owner of `pretrained` (`FinetuneInput.teachers`). */
  teachers?: TeacherCache;
  signal?: AbortSignal;
  onStep?: (step: number, of: number, loss: number) => void;
  /**
   * A validation passed: these weights are kept at least (see `FinetuneInput.onImproved`), named
   * as `AcceptedWeights.weights` (model weights, an adapter merged in).
   */
  onImproved?: (step: number, weights: ReadonlyMap<string, tf.Tensor>) => Promise<void> | void;
}

/** The weights an accepted run ends with; the caller must `dispose()` it. */
export interface AcceptedWeights {
  /**
   * What the live model takes to serve the run, by name: every parameter that may differ from the
   * pretrained model (all of them when the run started from the pretrained weights; for an
   * adapter, its adapted weights hold pretrained + adapter).
   */
  weights: ReadonlyMap<string, tf.Tensor>;
  /** The checkpoint to store (reads the weights back from the backend). */
  checkpoint(): Promise<StoredCheckpoint>;
  dispose(): void;
}

/**
 * One fine-tuning run on a copy of the live model, so feeds served meanwhile never see
 * half-trained weights (only the validated ones `onImproved` hands over). Returns the weights
 * of an accepted run; building the checkpoint (a read-back) is left to the caller, so the
 * feed can be served from the weights first.
 */
export async function trainCheckpoint(input: TrainCheckpointInput): Promise<{ result: FinetuneResult; accepted: AcceptedWeights | null }> {
  const { model } = input;
  // An adapter trains on top of the pretrained weights, and a weight mechanism does not continue
  // an adapter: a person whose stored checkpoint is of the other family (an app that switched
  // mechanism) starts again from the pretrained model.
  const fromPretrained = input.policy.adapter !== 'none' || input.previous?.adapter !== undefined;
  const start = (n: string, v: tf.Variable): tf.Tensor => (fromPretrained ? input.pretrained.get(n) ?? v : v);
  const copy = new SasRec(model.config, new Map([...model.weights].map(([n, v]) => [n, tf.variable(start(n, v), true)])), model.features);
  // What the live model must take to serve the copy: every parameter when the copy started from
  // the pretrained weights (the live ones may hold the other family's changes), else the changed ones.
  const served = (changed: ReadonlyMap<string, tf.Tensor>): ReadonlyMap<string, tf.Tensor> =>
    fromPretrained ? new Map([...copy.weights, ...changed]) : changed;
  const onImproved = input.onImproved;
  try {
    const result = await finetune({
      model: copy,
      pretrained: input.pretrained,
      history: input.history,
      policy: input.policy,
      optimizerState: input.previous?.adapter || input.policy.adapter === 'none' ? input.previous?.optimizer ?? null : null,
      adapter: input.previous?.adapter ?? null,
      replay: input.replay,
      teachers: input.teachers,
      signal: input.signal,
      onStep: input.onStep,
      onImproved: onImproved && ((step, weights) => onImproved(step, served(weights))),
    });
    if (!result.accepted) return { result, accepted: null };
    // Clones share the variables' data: no copy is made, and they outlive the copy's variables.
    // After an accepted adapter run the copy's adapted weights hold pretrained + adapter.
    const weights = new Map([...served(new Map(result.trainable.map((n) => [n, copy.w(n)])))].map(([n, t]) => [n, tf.clone(t)]));
    const updatedAt = Date.now();
    return {
      result,
      accepted: {
        weights,
        async checkpoint() {
          // An adapter is stored instead of the weights it changes (a few KB, merged when loaded);
          // an adapter run reset to the pretrained weights stores neither.
          const data: Record<string, Float32Array> = {};
          const sparse: Record<string, SparseRows> = {};
          if (input.policy.adapter === 'none') {
            for (const name of result.trainable) {
              const t = weights.get(name) as tf.Tensor;
              // Sampled runs (large catalogs) store only the item rows that differ from the pretrained ones.
              const base = input.pretrained.get(name);
              if (result.softmax === 'sampled' && ROW_PARAMETERS.includes(name) && base) sparse[name] = await changedRows(t, base);
              else data[name] = (await t.data()) as Float32Array;
            }
          }
          return {
            modelId: input.modelId,
            steps: (input.previous?.steps ?? 0) + result.steps,
            updatedAt,
            trainedEvents: input.eventCount,
            weights: data,
            ...(Object.keys(sparse).length ? { sparse } : {}),
            optimizer: result.optimizerState,
            ...(result.adapter ? { adapter: result.adapter } : {}),
          };
        },
        dispose() {
          for (const t of weights.values()) t.dispose();
        },
      },
    };
  } finally {
    // Not copy.dispose(): the content features are shared with the live model.
    for (const v of copy.weights.values()) v.dispose();
  }
}

/** The rows of `t` ([rows, dim]) that differ from `base`, read back. */
async function changedRows(t: tf.Tensor, base: tf.Tensor): Promise<SparseRows> {
  const ids = await changedRowIds(t, base);
  if (ids.length === 0) return { ids, values: new Float32Array(0) };
  const rows = tf.tidy(() => tf.gather(t, ids));
  try {
    return { ids, values: (await rows.data()) as Float32Array };
  } finally {
    rows.dispose();
  }
}
