import * as tf from '@tensorflow/tfjs';
import { SasRec } from '../model/sasrec';
import type { SignalView } from '../signals';
import type { StoredCheckpoint } from '../store/localStore';
import { finetune, type FinetuneResult } from '../train/finetune';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { changedRowIds } from '../train/rowTraining';
import { ROW_PARAMETERS, type SparseRows } from '../train/sparseRows';

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
  signal?: AbortSignal;
  onStep?: (step: number, of: number, loss: number) => void;
  /** A validation passed: these weights are kept at least (see `FinetuneInput.onImproved`). */
  onImproved?: (step: number, weights: ReadonlyMap<string, tf.Tensor>) => Promise<void> | void;
}

/** The weights an accepted run ends with; the caller must `dispose()` it. */
export interface AcceptedWeights {
  /** Every parameter that may differ from the pretrained model, by name. */
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
  const copy = new SasRec(model.config, new Map([...model.weights].map(([n, v]) => [n, tf.variable(v, true)])), model.features);
  try {
    const result = await finetune({
      model: copy,
      pretrained: input.pretrained,
      history: input.history,
      policy: input.policy,
      optimizerState: input.previous?.optimizer ?? null,
      replay: input.replay,
      signal: input.signal,
      onStep: input.onStep,
      onImproved: input.onImproved,
    });
    if (!result.accepted) return { result, accepted: null };
    // Clones share the variables' data: no copy is made, and they outlive the copy's variables.
    const weights = new Map(result.trainable.map((n) => [n, tf.clone(copy.w(n))]));
    const updatedAt = Date.now();
    return {
      result,
      accepted: {
        weights,
        async checkpoint() {
          const data: Record<string, Float32Array> = {};
          const sparse: Record<string, SparseRows> = {};
          for (const [name, t] of weights) {
            // Sampled runs (large catalogs) store only the item rows that differ from the pretrained ones.
            const base = input.pretrained.get(name);
            if (result.softmax === 'sampled' && ROW_PARAMETERS.includes(name) && base) sparse[name] = await changedRows(t, base);
            else data[name] = (await t.data()) as Float32Array;
          }
          return {
            modelId: input.modelId,
            steps: (input.previous?.steps ?? 0) + result.steps,
            updatedAt,
            trainedEvents: input.eventCount,
            weights: data,
            ...(Object.keys(sparse).length ? { sparse } : {}),
            optimizer: result.optimizerState,
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
