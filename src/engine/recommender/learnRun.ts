import { yieldToEventLoop } from '../runtime/yieldToEventLoop';
import type { SignalView } from '../signals';
import type { StoredCheckpoint } from '../store/localStore';
import type { FinetunePolicy } from '../train/finetunePolicy';
import type { LiveModel } from './liveModel';
import type { LoadedModel } from './loadModelFolder';
import { trainCheckpoint } from './trainCheckpoint';
import type { LearnReport } from './types';

/** What one fine-tuning run needs from the engine. */
export interface LearnRunContext {
  loaded: LoadedModel;
  /** The model the feed ranks with: validated weights are served from it as soon as they exist. */
  live: LiveModel;
  policy: FinetunePolicy;
  replay: readonly (readonly number[])[];
  signal: AbortSignal;
  history(): Promise<{ events: readonly unknown[]; view: SignalView }>;
  /** Bumped by reset, import and delete: a run that started before them is discarded. */
  generation(): number;
  disposed(): boolean;
  /** Runs `fn` in the engine's queue of state-replacing writes. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Puts the stored checkpoint (or the pretrained weights) into the live model; `force` even when it is the one live. */
  reloadCheckpoint(opts?: { force?: boolean }): Promise<void>;
  /** Stores the checkpoint; false when it could not be kept (storage full: the run is not used, history stays). */
  storeCheckpoint(c: StoredCheckpoint): Promise<boolean>;
  /** The run looked at `eventCount` events (accepted or not). */
  attempted(eventCount: number): void;
  onStep(step: number, of: number, loss: number): void;
  /** The live weights changed (the feed should re-rank); `stored`: they are the run's final weights. */
  weightsChanged(stored: boolean): Promise<void>;
  /** The new checkpoint is stored: tell other tabs. */
  stored(): void;
}

type RunOutcome = Omit<LearnReport, 'backend' | 'ms'>;

/**
 * One fine-tuning run on a copy of the live weights. Each time a validation passes, the live
 * model serves the validated weights at once (the feed adapts within a step or two, not after the
 * run and a store round trip); an accepted run then records its checkpoint and writes it to
 * IndexedDB, off the feed's path. A run that is rolled back, fails, or crosses a reset, import
 * or delete puts the stored weights back. Nothing is written unless the run is accepted.
 */
export async function learnRun(ctx: LearnRunContext): Promise<RunOutcome> {
  const generation = ctx.generation();
  const live = ctx.live;
  const current = (): boolean => generation === ctx.generation() && !ctx.disposed();
  await ctx.reloadCheckpoint();
  const { events, view } = await ctx.history();
  const l = ctx.loaded;
  /** Step whose weights the live model serves (0: none of this run). */
  let served = 0;
  /** The run's final weights are live (adopted or committed), stored or not yet. */
  let adoptedFinal = false;
  /** The live weights are the stored ones again (the final checkpoint was written). */
  let settled = false;
  try {
    const { result: r, accepted } = await trainCheckpoint({
      model: l.model,
      pretrained: l.pretrained,
      modelId: l.modelId,
      history: view,
      eventCount: events.length,
      policy: ctx.policy,
      previous: live.checkpoint,
      replay: ctx.replay,
      teachers: live.teachers,
      signal: ctx.signal,
      onStep: ctx.onStep,
      // The first validated weights only: the feed adapts once early and once at the end,
      // instead of reordering at every validation.
      onImproved: async (step, weights) => {
        if (served > 0 || !current()) return;
        live.adopt(weights, null);
        served = step;
        await ctx.weightsChanged(false);
      },
    });
    ctx.attempted(events.length);
    const losses = { lossBefore: r.valBefore, lossAfter: r.valAfter };
    if (!accepted) return { steps: 0, accepted: false, reason: r.reason, ...losses };
    try {
      const checkpoint = await accepted.checkpoint();
      const kept = await ctx.exclusive(async () => {
        if (!current()) return false;
        // The live weights already are the kept step when it is the one served.
        const same = served > 0 && served === r.steps && !r.reset;
        if (same) live.commit(checkpoint);
        else live.adopt(accepted.weights, checkpoint);
        adoptedFinal = true;
        return same ? 'same' : 'changed';
      });
      if (!kept) return { steps: 0, accepted: false, reason: 'discarded: the data changed while training', ...losses };
      // Unchanged weights: the status snapshot at the end of the run says the rest.
      if (kept === 'changed') await ctx.weightsChanged(true);
      // Stored after the feed adapted; reloads wait for this write (LiveModel.persist).
      let saved = false;
      await live.persist(ctx.exclusive(async () => {
        await yieldToEventLoop();
        saved = await ctx.storeCheckpoint(checkpoint);
      }));
      // Storage full: the run is not kept (the finally puts the stored weights back); the history stays.
      if (!saved) return { steps: 0, accepted: false, reason: 'not kept: storage is full, so the fine-tuned model could not be saved (your history is kept)', ...losses };
      settled = true;
      ctx.stored();
      return { steps: r.steps, accepted: true, reason: r.reason, ...losses };
    } finally {
      accepted.dispose();
    }
  } finally {
    // Weights served from a run whose checkpoint was not stored (rolled back after serving,
    // failed, discarded, storage full): back to the stored ones.
    if ((served > 0 || adoptedFinal) && !settled && !ctx.disposed()) {
      await ctx.reloadCheckpoint({ force: true });
      await ctx.weightsChanged(false);
    }
  }
}
