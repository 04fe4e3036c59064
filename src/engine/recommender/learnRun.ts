import { yieldToEventLoop } from '../runtime/yieldToEventLoop';
import type { SignalView } from '../signals';
import type { StoredCheckpoint } from '../store/localStore';
import type { FinetunePolicy } from '../train/finetunePolicy';
import type { LoadedModel } from './loadModelFolder';
import { trainCheckpoint } from './trainCheckpoint';
import type { LearnReport } from './types';

/** What one fine-tuning run needs from the engine. */
export interface LearnRunContext {
  loaded: LoadedModel;
  policy: FinetunePolicy;
  replay: readonly (readonly number[])[];
  signal: AbortSignal;
  /** Puts the stored checkpoint (or the pretrained weights) into the live model. */
  reloadCheckpoint(): Promise<void>;
  /** The checkpoint now in the live model (null = pretrained). */
  checkpoint(): StoredCheckpoint | null;
  history(): Promise<{ events: readonly unknown[]; view: SignalView }>;
  /** Bumped by reset, import and delete: a run that started before them is discarded. */
  generation(): number;
  disposed(): boolean;
  /** Runs `fn` in the engine's queue of state-replacing writes. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Stores the checkpoint; false when it could not be kept (storage full: the run is not used, history stays). */
  storeCheckpoint(c: StoredCheckpoint): Promise<boolean>;
  /** The run looked at `eventCount` events (accepted or not). */
  attempted(eventCount: number): void;
  onStep(step: number, of: number, loss: number): void;
  /** A new checkpoint is live: tell other tabs and readers. */
  announce(): Promise<void>;
}

/**
 * One fine-tuning run on a copy of the live weights; the live model and the stored checkpoint
 * change only if the run is accepted and no reset, import or delete happened meanwhile.
 */
export async function learnRun(ctx: LearnRunContext): Promise<Omit<LearnReport, 'backend' | 'ms'>> {
  const generation = ctx.generation();
  await ctx.reloadCheckpoint();
  const { events, view } = await ctx.history();
  const l = ctx.loaded;
  const { result: r, checkpoint } = await trainCheckpoint({
    model: l.model,
    pretrained: l.pretrained,
    modelId: l.modelId,
    history: view,
    eventCount: events.length,
    policy: ctx.policy,
    previous: ctx.checkpoint(),
    replay: ctx.replay,
    signal: ctx.signal,
    onStep: ctx.onStep,
  });
  ctx.attempted(events.length);
  const losses = { lossBefore: r.valBefore, lossAfter: r.valAfter };
  if (!checkpoint) return { steps: 0, accepted: false, reason: r.reason, ...losses };
  const stored = await ctx.exclusive(async () => {
    if (generation !== ctx.generation() || ctx.disposed()) return 'discarded';
    if (!(await ctx.storeCheckpoint(checkpoint))) return 'unsaved';
    await yieldToEventLoop();
    await ctx.reloadCheckpoint();
    return 'stored';
  });
  if (stored === 'discarded') return { steps: 0, accepted: false, reason: 'discarded: the data changed while training', ...losses };
  if (stored === 'unsaved') return { steps: 0, accepted: false, reason: 'not kept: storage is full, so the fine-tuned model could not be saved (your history is kept)', ...losses };
  await ctx.announce();
  return { steps: r.steps, accepted: true, reason: r.reason, ...losses };
}
