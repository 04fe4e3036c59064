import * as tf from '@tensorflow/tfjs';
import { SasRec } from '../model/sasrec';
import { yieldToEventLoop } from '../runtime/yieldToEventLoop';
import type { SignalView } from '../signals';
import type { StoredCheckpoint } from '../store/localStore';
import { finetune, type FinetuneResult } from '../train/finetune';
import type { FinetunePolicy } from '../train/finetunePolicy';

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
}

/**
 * One fine-tuning run on a copy of the live model, so feeds served meanwhile never see
 * half-trained weights. Returns the checkpoint to store when the run was accepted.
 */
export async function trainCheckpoint(input: TrainCheckpointInput): Promise<{ result: FinetuneResult; checkpoint: StoredCheckpoint | null }> {
  const { model } = input;
  // An adapter trains on top of the pretrained weights: a person whose stored checkpoint holds
  // fine-tuned weights (an app that switched mechanism) starts again from the pretrained model.
  const start = (n: string, v: tf.Variable): tf.Tensor => (input.policy.adapter !== 'none' ? input.pretrained.get(n) ?? v : v);
  const copy = new SasRec(model.config, new Map([...model.weights].map(([n, v]) => [n, tf.variable(start(n, v), true)])), model.features);
  try {
    const result = await finetune({
      model: copy,
      pretrained: input.pretrained,
      history: input.history,
      policy: input.policy,
      optimizerState: input.previous?.adapter || input.policy.adapter === 'none' ? input.previous?.optimizer ?? null : null,
      adapter: input.previous?.adapter ?? null,
      replay: input.replay,
      signal: input.signal,
      onStep: input.onStep,
    });
    if (!result.accepted) return { result, checkpoint: null };
    const weights: Record<string, Float32Array> = {};
    await yieldToEventLoop();
    // An adapter is stored instead of the weights it changes (a few KB, merged when loaded).
    if (!result.adapter) for (const name of result.trainable) weights[name] = (await copy.w(name).data()) as Float32Array;
    return {
      result,
      checkpoint: {
        modelId: input.modelId,
        steps: (input.previous?.steps ?? 0) + result.steps,
        updatedAt: Date.now(),
        trainedEvents: input.eventCount,
        weights,
        optimizer: result.optimizerState,
        ...(result.adapter ? { adapter: result.adapter } : {}),
      },
    };
  } finally {
    // Not copy.dispose(): the content features are shared with the live model.
    for (const v of copy.weights.values()) v.dispose();
  }
}
