import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import { defaultFileCache, type FileCache } from '../loading/fileCache';
import { resolveModelUrl, type FetchLike } from '../loading/fetchModelFiles';
import { checkRecommendOptions, type CatalogIndex } from '../rank/rankFeed';
import { checkNewItemSlots, NEW_ITEM_SLOTS } from '../rank/newItemSlots';
import { validateBundle } from '../store/exportBundle';
import { adapterShapes } from '../train/adapters';
import { LocalStore } from '../store/localStore';
import { TabSync, type SyncMessage } from '../store/tabSync';
import { resolvePolicy, type FinetunePolicy } from '../train/finetunePolicy';
import { checkEvent, checkSettingsPatch } from './checkInput';
import { explainItem } from './explain';
import { HistoryCache, type HistoryRead } from './historyCache';
import { learnRun } from './learnRun';
import { LearnScheduler } from './learnScheduler';
import { loadModelFolder, type LoadedModel } from './loadModelFolder';
import { exportPersonData, storeImport } from './personData';
import { LiveModel } from './liveModel';
import { rankWithInputs, type RankInputs, type ServedRecommender } from './rankInputs';
import { followRemoteChange } from './remoteChanges';
import { SettingsCache } from './settingsCache';
import { SnapshotPublisher } from './snapshotPublisher';
import type {
  CatalogEntry,
  EngineSettings,
  EngineState,
  EngineStatus,
  Explanation,
  ExportBundle,
  HistoryChange,
  ImportResult,
  InteractionEvent,
  LearnOptions,
  LearnReport,
  MemoryInfo,
  ProgressEvent,
  ReadyInfo,
  Recommendation,
  RecommenderOptions,
  RecommendOptions,
  UpdateKind,
} from './types';

/** In-process options: what cannot cross a worker boundary (functions, caches) may be given here. */
export interface LocalRecommenderOptions extends RecommenderOptions {
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Model file cache; default Cache API (memory where missing); null = no caching. */
  cache?: FileCache | null;
  /** Replay exemplars for fine-tuning; default: the model folder's replay.json (none when absent). */
  replay?: number[][];
}

/**
 * Creates the engine in this thread (the worker entry, Node tools and tests use it; pages use
 * `createWorkerRecommender`). Loading starts at once; `ready` settles when the model is usable,
 * while `recommend` already serves the popular-and-varied list from the catalog.
 *
 * @example
 * const engine = createRecommender({ modelUrl: '/models/tiny-test/', device: 'wasm', namespace: 'demo' });
 * await engine.record({ itemId: 3, type: 'like', at: Date.now() });
 * const feed = await engine.recommend({ count: 20 });
 */
export function createRecommender(options: LocalRecommenderOptions): ServedRecommender {
  return new LocalRecommender(options);
}

class LocalRecommender implements ServedRecommender {
  readonly ready: Promise<ReadyInfo>;
  private readonly opts: LocalRecommenderOptions;
  private readonly policy: FinetunePolicy;
  private readonly folder: string;
  private readonly cache: FileCache | null;
  private readonly store: LocalStore;
  private readonly sync: TabSync;
  private readonly events: HistoryCache;
  private readonly scheduler: LearnScheduler;
  private readonly abort = new AbortController();
  private readonly catalogPromise: Promise<CatalogIndex>;
  private resolveCatalog!: (c: CatalogIndex) => void;
  private rejectCatalog!: (e: unknown) => void;
  /** The model, its live weights and the serve loop's caches (null until loaded). */
  private live: LiveModel | null = null;
  private readonly settings: SettingsCache;
  private readonly snapshots: SnapshotPublisher;
  /** Bumped by reset/import/delete: a training run that started before is discarded. */
  private generation = 0;
  private writeQueue: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(options: LocalRecommenderOptions) {
    if (options.newItemSlots) checkNewItemSlots(options.newItemSlots);
    this.opts = { ...options };
    this.policy = resolvePolicy(options.policy);
    this.folder = resolveModelUrl(options.modelUrl);
    this.cache = options.cache === undefined ? defaultFileCache() : options.cache;
    const namespace = options.namespace ?? 'default';
    this.store = new LocalStore(namespace, { onBlocked: (message) => this.emit({ status: 'error', during: 'storage', code: 'STORAGE_FAILED', message }) });
    this.sync = new TabSync(namespace, this.store, (m) => void this.onRemote(m));
    this.events = new HistoryCache(this.store);
    this.settings = new SettingsCache(this.store);
    this.snapshots = new SnapshotPublisher(
      {
        read: async () => {
          const h = await this.events.read();
          return { status: this.statusOf(h), settings: await this.settings.read(), history: h.events };
        },
      },
      (e) => { if (!this.disposed) this.emit(e); },
      (err) => this.reportError('storage', err),
    );
    this.scheduler = new LearnScheduler({
      learnAfter: this.policy.learnAfter,
      run: (o) => this.runLearn(o),
      autoLearn: async () => (await this.settings.read()).autoLearn,
      eventCount: async () => (await this.events.read()).events.length,
      trainedEvents: () => this.live?.checkpoint?.trainedEvents ?? 0,
      onBackgroundError: (err) => this.reportError('storage', err),
      settled: (err) => this.afterLearn(err),
    });
    this.catalogPromise = new Promise((res, rej) => { this.resolveCatalog = res; this.rejectCatalog = rej; });
    this.catalogPromise.catch(() => {});
    this.ready = this.load();
    this.ready.catch(() => {});
  }

  private emit(e: ProgressEvent): void {
    try {
      this.opts.onProgress?.(e);
    } catch {
      // A throwing progress listener must not break loading or training.
    }
  }

  private reportError(during: 'learn' | 'storage' | 'sync', err: unknown): void {
    if (this.disposed) return;
    const code = err instanceof LocalRecError ? err.code : 'INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    this.emit({ status: 'error', during, code, message });
  }

  private check(): void {
    if (this.disposed) throw new LocalRecError('DISPOSED', 'This recommender was disposed. Create a new one.');
  }

  private async load(): Promise<ReadyInfo> {
    try {
      const loaded = await loadModelFolder({
        folder: this.folder,
        device: this.opts.device ?? 'auto',
        wasmPaths: this.opts.wasmPaths,
        wasmThreads: this.opts.wasmThreads,
        fetch: this.opts.fetch,
        cache: this.cache,
        onProgress: (e) => this.emit(e),
        onCatalog: (c) => this.resolveCatalog(c),
        signal: this.abort.signal,
      });
      this.live = new LiveModel(loaded, this.policy, this.store);
      const notes = [...loaded.backend.notes];
      try {
        await this.reloadCheckpoint();
        const stored = await this.store.getCheckpoint();
        if (stored && stored.modelId !== loaded.modelId) notes.push('A fine-tuned checkpoint from another model version is stored; starting from the pretrained model.');
      } catch (err) {
        // The model still serves without storage; history and learning calls will report the error.
        notes.push(err instanceof Error ? err.message : String(err));
      }
      const { backend, adapter, threads } = loaded.backend;
      this.emit({ status: 'ready', backend, adapter });
      void this.publish('status', 'local', { kind: 'unchanged' });
      return { backend, adapter, threads, numItems: loaded.model.config.numItems, modelName: loaded.manifest.name, modelId: loaded.modelId, notes };
    } catch (err) {
      this.rejectCatalog(err);
      throw err;
    }
  }

  private async model(): Promise<LoadedModel> {
    this.check();
    await this.ready;
    this.check();
    if (!this.live) throw new LocalRecError('NOT_READY', 'The model is not loaded.');
    return this.live.loaded;
  }

  private async reloadCheckpoint(opts: { force?: boolean } = {}): Promise<void> {
    await this.live?.reload(opts);
  }

  private publish(what: UpdateKind, origin: 'local' | 'remote', history: HistoryChange): Promise<void> {
    return this.snapshots.publish(what, origin, history);
  }

  private async onRemote(m: SyncMessage): Promise<void> {
    if (this.disposed) return;
    await followRemoteChange(m, {
      forgetHistory: () => this.events.invalidate(),
      forgetSettings: () => this.settings.forget(),
      markDeleted: () => this.store.markDeleted(),
      bumpGeneration: () => { this.generation++; },
      reloadCheckpoint: (o) => this.reloadCheckpoint(o),
      publish: (what, origin, history) => this.publish(what, origin, history),
      reportError: (err) => this.reportError('sync', err),
    });
  }

  async catalog(): Promise<CatalogEntry[]> {
    this.check();
    return [...(await this.catalogPromise).items];
  }

  async recommend(opts: RecommendOptions): Promise<Recommendation[]> {
    this.check();
    checkRecommendOptions(opts);
    const [catalog, inputs] = await Promise.all([this.catalogPromise, this.rankInputs()]);
    this.check();
    return rankWithInputs(inputs, catalog, opts);
  }

  async rankInputs(): Promise<RankInputs> {
    this.check();
    const [h, settings] = await Promise.all([this.events.read(), this.settings.read()]);
    const scoring = this.live?.scoring;
    const scores = scoring && h.view.sequence.length > 0 ? await scoring.scores(h) : null;
    const newItemSlots = this.opts.newItemSlots === undefined ? NEW_ITEM_SLOTS : this.opts.newItemSlots;
    return { scores, seen: [...h.view.seen], discover: settings.discover, newItemSlots };
  }

  async record(event: InteractionEvent): Promise<void> {
    this.check();
    const catalog = await this.catalogPromise;
    const clean = checkEvent(event, catalog);
    await this.events.append(clean, () => this.store.appendEvent(clean));
    this.sync.post('events');
    await this.publish('history', 'local', { kind: 'appended', events: [{ ...clean }] });
    if (!this.live) return;
    // The feed re-ranks next: start its forward pass now, while the page handles the snapshot
    // (after this call's answer is posted), instead of when the page asks.
    setTimeout(() => void this.rankInputs().catch(() => undefined), 0);
    void this.scheduler.afterEvent();
  }

  async history(): Promise<InteractionEvent[]> {
    this.check();
    return [...(await this.events.read()).events];
  }

  learn(opts: LearnOptions = {}): Promise<LearnReport> {
    this.check();
    return this.scheduler.learn(opts);
  }

  private async runLearn(opts: LearnOptions): Promise<LearnReport> {
    const l = await this.model();
    const t0 = Date.now();
    const report = (r: Omit<LearnReport, 'backend' | 'ms'>): LearnReport => {
      const full = { ...r, backend: l.backend.backend, ms: Date.now() - t0 };
      this.emit({ status: 'learned', steps: full.steps, accepted: full.accepted, reason: full.reason });
      return full;
    };
    if (!opts.force && !(await this.scheduler.due())) {
      return report({ steps: 0, accepted: false, reason: `waiting for ${this.policy.learnAfter} new interactions`, lossBefore: null, lossAfter: null });
    }
    const outcome = await this.sync.whileTraining(() => learnRun({
      loaded: l,
      policy: this.policy,
      replay: this.opts.replay ?? l.replay,
      signal: this.abort.signal,
      reloadCheckpoint: () => this.reloadCheckpoint(),
      checkpoint: () => this.live?.checkpoint ?? null,
      history: () => this.events.read(),
      generation: () => this.generation,
      disposed: () => this.disposed,
      exclusive: (fn) => this.exclusive(fn),
      storeCheckpoint: (c) => this.store.putCheckpoint(c),
      attempted: (n) => this.scheduler.attempted(n),
      onStep: (step, of, loss) => this.emit({ status: 'learning', step, of, loss }),
      announce: async () => {
        this.sync.post('checkpoint');
        await this.publish('checkpoint', 'local', { kind: 'unchanged' });
      },
    }));
    if (!outcome.ran) return report({ steps: 0, accepted: false, reason: 'another tab is training; it will share the result', lossBefore: null, lossAfter: null });
    return report(outcome.value);
  }

  /** After every run (accepted, rolled back or failed): status moves on; a failure is reported. */
  private async afterLearn(err: unknown): Promise<void> {
    if (this.disposed) return;
    if (err !== null) this.reportError('learn', err);
    await this.publish('status', 'local', { kind: 'unchanged' });
  }

  /** Runs writes that replace the model state one after another. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(fn);
    this.writeQueue = run.then(() => undefined, () => undefined);
    return run;
  }

  async explain(itemId: number): Promise<Explanation> {
    const l = await this.model();
    const catalog = await this.catalogPromise;
    if (!catalog.byId.has(itemId)) throw new LocalRecError('INVALID_INPUT', `explain: item ${itemId} is not in the catalog.`);
    return explainItem(l.model, catalog, [...(await this.events.read()).events], itemId);
  }

  private statusOf(h: HistoryRead): EngineStatus {
    return {
      ready: this.live !== null,
      backend: this.live?.loaded.backend.backend ?? null,
      interactions: h.events.length,
      fineTuneSteps: this.live?.checkpoint?.steps ?? 0,
      lastUpdate: this.live?.checkpoint?.updatedAt ?? null,
      personalized: (this.live?.checkpoint ?? null) !== null,
      learning: this.scheduler.active,
      pendingEvents: this.scheduler.pending(h.events.length),
      learnAfter: this.policy.learnAfter,
    };
  }

  async status(): Promise<EngineStatus> {
    this.check();
    return this.statusOf(await this.events.read());
  }

  async state(): Promise<EngineState> {
    this.check();
    return this.snapshots.state();
  }

  async memory(): Promise<MemoryInfo> {
    this.check();
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, backend: this.live?.loaded.backend.backend ?? null };
  }

  async getSettings(): Promise<EngineSettings> {
    this.check();
    return { ...(await this.settings.read()) };
  }

  async setSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    this.check();
    const next = { ...(await this.settings.read()), ...checkSettingsPatch(patch) };
    await this.settings.write(next);
    this.sync.post('settings');
    await this.publish('settings', 'local', { kind: 'unchanged' });
    return { ...next };
  }

  async exportData(): Promise<ExportBundle> {
    this.check();
    return exportPersonData(this.store, this.live?.loaded.manifest.name ?? '');
  }

  async importData(bundle: unknown): Promise<ImportResult> {
    const l = await this.model();
    const valid = validateBundle(bundle, {
      numItems: l.model.config.numItems,
      modelId: l.modelId,
      weightSizes: new Map([...l.model.weights].map(([n, v]) => [n, v.size])),
      adapterShapes: (kind, rank) => adapterShapes(l.model.config, kind, rank),
    });
    const result = await this.exclusive(async () => {
      this.generation++;
      this.events.invalidate();
      this.settings.forget();
      const r = await storeImport(this.store, valid);
      this.events.invalidate();
      this.scheduler.attempted(0);
      await this.reloadCheckpoint({ force: true });
      return r;
    });
    this.sync.post('replaced');
    await this.publish('all', 'local', { kind: 'replaced' });
    return result;
  }

  async deleteData(): Promise<void> {
    this.check();
    await this.exclusive(async () => {
      this.generation++;
      this.events.invalidate();
      this.settings.forget();
      await this.store.destroy();
      await this.cache?.clear();
      this.events.invalidate();
      this.scheduler.attempted(0);
      await this.reloadCheckpoint();
    });
    this.sync.post('deleted');
    await this.publish('all', 'local', { kind: 'replaced' });
  }

  async resetModel(): Promise<void> {
    await this.model();
    await this.exclusive(async () => {
      this.generation++;
      await this.store.deleteCheckpoint();
      this.scheduler.attempted((await this.events.read()).events.length);
      await this.reloadCheckpoint();
    });
    this.sync.post('checkpoint');
    await this.publish('checkpoint', 'local', { kind: 'unchanged' });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.abort.abort();
    await this.ready.catch(() => {});
    await this.scheduler.idle();
    await this.snapshots.idle();
    this.disposed = true;
    this.sync.dispose();
    this.store.close();
    this.live?.dispose();
    this.live = null;
  }
}
