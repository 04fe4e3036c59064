import { LocalRecError } from '../errors';
import type { StoredCheckpoint } from '../store/localStore';
import type { TabSync } from '../store/tabSync';
import type { FinetunePolicy } from '../train/finetunePolicy';
import type { HistoryCache } from './historyCache';
import { learnRun } from './learnRun';
import { LearnScheduler } from './learnScheduler';
import type { LiveModel } from './liveModel';
import type { LoadedModel } from './loadModelFolder';
import type { SettingsCache } from './settingsCache';
import type { StateGuard } from './stateGuard';
import type { DeviceLossGuard } from './deviceLoss';
import type { LearnOptions, LearnReport, ProgressEvent } from './types';

/** What the learn loop needs from the engine. */
export interface EngineLearnerDeps {
  policy: FinetunePolicy;
  /** Replay exemplars given in the options (else the model folder's). */
  replay: readonly (readonly number[])[] | undefined;
  signal: AbortSignal;
  sync: TabSync;
  events: HistoryCache;
  settings: SettingsCache;
  guard: StateGuard;
  /** The loaded model (waits for loading; throws when disposed or not loaded). */
  model(): Promise<LoadedModel>;
  /** The live model, null until loaded. */
  live(): LiveModel | null;
  /** Puts the stored checkpoint (or the pretrained weights) into the live model. */
  reloadCheckpoint(opts?: { force?: boolean }): Promise<void>;
  /** Stores an accepted run's checkpoint; false when storage is full (the engine has told the person). */
  storeCheckpoint(c: StoredCheckpoint): Promise<boolean>;
  disposed(): boolean;
  emit(e: ProgressEvent): void;
  reportError(during: 'learn' | 'storage', err: unknown): void;
  /** Tells readers the status (or, after an accepted run, the checkpoint) changed. */
  publishStatus(): Promise<void>;
  publishCheckpoint(): Promise<void>;
  /** A run that failed because the GPU device was lost runs again once the model is back (on WASM). */
  device: Pick<DeviceLossGuard, 'runStarted' | 'afterStep' | 'afterFailure'>;
  /**
   * The live weights changed but are not stored (validated weights of a run in progress, or the
   * stored ones put back): readers re-rank; other tabs are not told.
   */
  publishWeights(): Promise<void>;
}

/**
 * The learn loop of one engine: when to run (`LearnScheduler`), one run under the cross-tab
 * training lock (`learnRun`), the `learning`/`learned` events, and the status once it is over,
 * whatever the outcome.
 */
export class EngineLearner {
  readonly scheduler: LearnScheduler;
  private readonly d: EngineLearnerDeps;

  constructor(deps: EngineLearnerDeps) {
    this.d = deps;
    this.scheduler = new LearnScheduler({
      learnAfter: deps.policy.learnAfter,
      run: (o) => this.run(o),
      autoLearn: async () => (await deps.settings.read()).autoLearn,
      eventCount: async () => (await deps.events.read()).events.length,
      trainedEvents: () => deps.live()?.checkpoint?.trainedEvents ?? 0,
      onBackgroundError: (err) => deps.reportError('storage', err),
      settled: (err) => this.afterRun(err),
    });
  }

  /** Starts a run or joins the one in progress. */
  learn(opts: LearnOptions = {}): Promise<LearnReport> {
    return this.scheduler.learn(opts);
  }

  /** One run; when the GPU device was lost during it and the model came back on WASM, run again there. */
  private async run(opts: LearnOptions): Promise<LearnReport> {
    this.d.device.runStarted();
    try {
      return await this.runOnce(opts);
    } catch (err) {
      if (await this.d.device.afterFailure()) return this.runOnce(opts);
      throw err;
    }
  }

  private async runOnce(opts: LearnOptions): Promise<LearnReport> {
    const d = this.d;
    const l = await d.model();
    const t0 = Date.now();
    const report = (r: Omit<LearnReport, 'backend' | 'ms'>): LearnReport => {
      const full = { ...r, backend: l.backend.backend, ms: Date.now() - t0 };
      d.emit({ status: 'learned', steps: full.steps, accepted: full.accepted, reason: full.reason });
      return full;
    };
    if (!opts.force && !(await this.scheduler.due())) {
      return report({ steps: 0, accepted: false, reason: `waiting for ${d.policy.learnAfter} new interactions`, lossBefore: null, lossAfter: null });
    }
    const live = d.live();
    if (!live) throw new LocalRecError('NOT_READY', 'The model is not loaded.');
    const outcome = await d.sync.whileTraining(() => learnRun({
      loaded: l,
      live,
      policy: d.policy,
      replay: d.replay ?? l.replay,
      signal: d.signal,
      reloadCheckpoint: (o) => d.reloadCheckpoint(o),
      history: () => d.events.read(),
      generation: () => d.guard.generation,
      disposed: d.disposed,
      exclusive: (fn) => d.guard.exclusive(fn),
      storeCheckpoint: (c) => d.storeCheckpoint(c),
      attempted: (n) => this.scheduler.attempted(n),
      onStep: (step, of, loss) => {
        d.emit({ status: 'learning', step, of, loss });
        d.device.afterStep(step);
      },
      weightsChanged: (stored) => (stored ? d.publishCheckpoint() : d.publishWeights()),
      stored: () => d.sync.post('checkpoint'),
    }));
    if (!outcome.ran) return report({ steps: 0, accepted: false, reason: 'another tab is training; it will share the result', lossBefore: null, lossAfter: null });
    return report(outcome.value);
  }

  /** After every run (accepted, rolled back or failed): status moves on; a failure is reported. */
  private async afterRun(err: unknown): Promise<void> {
    if (this.d.disposed()) return;
    if (err !== null) this.d.reportError('learn', err);
    await this.d.publishStatus();
  }
}
