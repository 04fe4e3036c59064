import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import { defaultFileCache, type FileCache } from '../loading/fileCache';
import { resolveModelUrl, type FetchLike } from '../loading/fetchModelFiles';
import { checkRecommendOptions, type CatalogIndex } from '../rank/rankFeed';
import { checkNewItemSlots } from '../rank/newItemSlots';
import { LocalStore } from '../store/localStore';
import { personalModelOf } from '../store/personalModel';
import { TabSync, type SyncMessage } from '../store/tabSync';
import { resolvePolicy, type FinetunePolicy } from '../train/finetunePolicy';
import { checkEvent, checkSettingsPatch } from './checkInput';
import { DeviceLossGuard } from './deviceLoss';
import { explainItem } from './explain';
import { FeedInputs } from './feedInputs';
import { HistoryCache, type HistoryRead } from './historyCache';
import { EngineLearner } from './engineLearner';
import { CheckpointSlot } from './checkpointSlot';
import { EngineNotes } from './engineNotes';
import { loadModelFolder, type LoadedModel } from './loadModelFolder';
import { PersonData } from './personData';
import { LiveModel } from './liveModel';
import { rankWithInputs, type RankInputs, type ServedRecommender } from './rankInputs';
import { followRemoteChange } from './remoteChanges';
import { SettingsCache } from './settingsCache';
import { SnapshotPublisher } from './snapshotPublisher';
import { StateGuard } from './stateGuard';
import type {
  Backend,
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
  private readonly learner: EngineLearner;
  private readonly data: PersonData;
  private readonly abort = new AbortController();
  private readonly catalogPromise: Promise<CatalogIndex>;
  private resolveCatalog!: (c: CatalogIndex) => void;
  private rejectCatalog!: (e: unknown) => void;
  /** The model, its live weights and the serve loop's caches (null until loaded). */
  private live: LiveModel | null = null;
  private readonly settings: SettingsCache;
  private readonly snapshots: SnapshotPublisher;
  /** Orders state-replacing writes; reset/import/delete discard training runs that started before. */
  private readonly guard = new StateGuard();
  /** Faults survived that the person should know about (`EngineStatus.notes`). */
  private readonly notes = new EngineNotes({
    announce: (code, message) => { if (!this.disposed) this.emit({ status: 'error', during: 'storage', code, message }); },
    changed: () => { if (!this.disposed) void this.publish('status', 'local', { kind: 'unchanged' }); },
  });
  private readonly checkpoints: CheckpointSlot;
  /** A lost WebGPU device: reload on WASM (`auto`) or stop with DeviceLostError. */
  private readonly deviceLoss: DeviceLossGuard;
  private disposed = false;
  private readonly inputs: FeedInputs;

  constructor(options: LocalRecommenderOptions) {
    if (options.newItemSlots) checkNewItemSlots(options.newItemSlots);
    this.opts = { ...options };
    this.policy = resolvePolicy(options.policy);
    this.folder = resolveModelUrl(options.modelUrl);
    this.cache = options.cache === undefined ? defaultFileCache() : options.cache;
    const namespace = options.namespace ?? 'default';
    this.store = new LocalStore(namespace, {
      onBlocked: (message) => this.emit({ status: 'error', during: 'storage', code: 'STORAGE_FAILED', message }),
      onUnavailable: (message) => this.notes.set('storage', message, 'STORAGE_UNAVAILABLE'),
    });
    this.checkpoints = new CheckpointSlot(this.store, () => this.live, this.notes);
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
    this.inputs = new FeedInputs({
      history: () => this.events.read(),
      discover: async () => (await this.settings.read()).discover,
      live: () => this.live,
      deviceReady: () => this.deviceLoss.ready(),
      version: () => this.snapshots.version,
      disposed: () => this.disposed,
      newItemSlots: options.newItemSlots,
    });
    this.deviceLoss = new DeviceLossGuard({
      requested: options.device ?? 'auto',
      emit: (e) => { if (!this.disposed) this.emit(e); },
      reloadOn: (backend) => this.reloadOn(backend),
      stop: () => this.dropModel(),
      publishStatus: () => this.publish('status', 'local', { kind: 'unchanged' }),
      testing: options.testing,
    });
    const shared = {
      store: this.store, sync: this.sync, events: this.events, settings: this.settings, guard: this.guard,
      model: () => this.model(), live: () => this.live, reloadCheckpoint: (o?: { force?: boolean }) => this.checkpoints.reload(o),
    };
    this.learner = new EngineLearner({
      ...shared,
      policy: this.policy,
      replay: options.replay,
      signal: this.abort.signal,
      disposed: () => this.disposed,
      emit: (e) => this.emit(e),
      reportError: (during, err) => this.reportError(during, err),
      storeCheckpoint: (c) => this.checkpoints.save(c),
      publishStatus: () => this.publish('status', 'local', { kind: 'unchanged' }),
      publishCheckpoint: () => this.weightsPublished(),
      publishWeights: () => this.weightsPublished(),
      device: this.deviceLoss,
    });
    this.data = new PersonData({
      ...shared,
      cache: this.cache,
      scheduler: this.learner.scheduler,
      publish: (what) => this.publish(what, 'local', what === 'all' ? { kind: 'replaced' } : { kind: 'unchanged' }),
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

  private loadOn(device: LocalRecommenderOptions['device'], first: boolean): Promise<LoadedModel> {
    return loadModelFolder({
      folder: this.folder,
      device: device ?? 'auto',
      wasmPaths: this.opts.wasmPaths,
      wasmThreads: this.opts.wasmThreads,
      acceptSoftwareGpu: this.opts.testing?.autoAcceptsSoftwareGpu,
      fetch: this.opts.fetch,
      cache: this.cache,
      onProgress: first ? (e) => this.emit(e) : () => {},
      onCatalog: first ? (c) => this.resolveCatalog(c) : () => {},
      signal: this.abort.signal,
    });
  }

  /** Frees the model (its tensors may live on a lost GPU device). */
  private dropModel(): void {
    const old = this.live;
    this.live = null;
    old?.dispose();
  }

  /** After a lost GPU device: the model again on `backend` (files from the cache, checkpoint from IndexedDB). */
  private async reloadOn(backend: Backend): Promise<{ threads: boolean }> {
    this.dropModel();
    const loaded = await this.loadOn(backend, false);
    if (this.disposed) {
      loaded.model.dispose();
      for (const t of loaded.pretrained.values()) t.dispose();
      return { threads: false };
    }
    this.live = new LiveModel(loaded, this.policy, this.store, (this.opts.replay ?? loaded.replay).length);
    await this.checkpoints.reload();
    this.emit({ status: 'ready', backend: loaded.backend.backend, adapter: loaded.backend.adapter });
    return { threads: loaded.backend.threads };
  }

  private async load(): Promise<ReadyInfo> {
    try {
      const loaded = await this.loadOn(this.opts.device, true);
      this.live = new LiveModel(loaded, this.policy, this.store, (this.opts.replay ?? loaded.replay).length);
      this.deviceLoss.watch(loaded.backend.backend);
      const notes = [...loaded.backend.notes];
      try {
        await this.checkpoints.reload();
        if (this.live.lastCheck.kind === 'foreign') notes.push('A fine-tuned checkpoint from another model version is stored; starting from the pretrained model.');
        notes.push(...this.notes.list());
      } catch (err) {
        // The model still serves without storage; history and learning calls will report the error.
        notes.push(err instanceof Error ? err.message : String(err));
      }
      const { backend, adapter, threads } = loaded.backend;
      this.emit({ status: 'ready', backend, adapter });
      void this.publish('status', 'local', { kind: 'unchanged' });
      this.inputs.warm();
      return { backend, adapter, threads, numItems: loaded.model.config.numItems, modelName: loaded.manifest.name, modelId: loaded.modelId, notes };
    } catch (err) {
      this.rejectCatalog(err);
      throw err;
    }
  }

  private async model(): Promise<LoadedModel> {
    this.check();
    await this.ready;
    await this.deviceLoss.ready();
    this.check();
    if (!this.live) throw new LocalRecError('NOT_READY', 'The model is not loaded.');
    return this.live.loaded;
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
      bumpGeneration: () => this.guard.bump(),
      reloadCheckpoint: (o) => this.checkpoints.reload(o),
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

  onRankInputs(listener: (inputs: RankInputs, version: number) => void): () => void {
    return this.inputs.listen(listener);
  }

  /** New live weights: readers re-rank (the page gets their inputs pushed, see `FeedInputs`). */
  private async weightsPublished(): Promise<void> {
    await this.publish('checkpoint', 'local', { kind: 'unchanged' });
    await this.inputs.published();
  }

  rankInputs(): Promise<RankInputs> {
    this.check();
    return this.inputs.read();
  }

  async record(event: InteractionEvent): Promise<void> {
    this.check();
    const catalog = await this.catalogPromise;
    const clean = checkEvent(event, catalog);
    // The feed's forward pass for the new history runs while IndexedDB commits the event.
    await this.events.append(clean, () => this.store.appendEvent(clean), (next) => this.inputs.prefetch(next));
    this.sync.post('events');
    await this.publish('history', 'local', { kind: 'appended', events: [{ ...clean }] });
    if (!this.live) return;
    // The feed re-ranks next: its inputs go to the page right behind the snapshot (or, in the
    // page's own engine, their forward pass starts now), before a learning run can hold the worker.
    await this.inputs.published();
    void this.learner.scheduler.afterEvent();
  }

  async history(): Promise<InteractionEvent[]> {
    this.check();
    return [...(await this.events.read()).events];
  }

  learn(opts: LearnOptions = {}): Promise<LearnReport> {
    this.check();
    return this.learner.learn(opts);
  }

  async explain(itemId: number): Promise<Explanation> {
    const l = await this.model();
    const catalog = await this.catalogPromise;
    if (!catalog.byId.has(itemId)) throw new LocalRecError('INVALID_INPUT', `explain: item ${itemId} is not in the catalog.`);
    const history = await this.events.read();
    const yearBias = this.live ? await this.live.scoring.yearBiasFor(history) : null;
    return explainItem(l.model, catalog, [...history.events], itemId, yearBias);
  }

  private statusOf(h: HistoryRead): EngineStatus {
    return {
      ready: this.live !== null,
      backend: this.live?.loaded.backend.backend ?? null,
      interactions: h.events.length,
      fineTuneSteps: this.live?.checkpoint?.steps ?? 0,
      lastUpdate: this.live?.checkpoint?.updatedAt ?? null,
      personalized: (this.live?.checkpoint ?? null) !== null,
      personalModel: personalModelOf(this.live?.checkpoint ?? null),
      learning: this.learner.scheduler.active,
      pendingEvents: this.learner.scheduler.pending(h.events.length),
      learnAfter: this.policy.learnAfter,
      storage: this.store.mode,
      notes: this.notes.list(),
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
    return this.data.exportData();
  }

  importData(bundle: unknown): Promise<ImportResult> {
    return this.data.importData(bundle);
  }

  async deleteData(): Promise<void> {
    this.check();
    await this.data.deleteData();
  }

  resetModel(): Promise<void> {
    return this.data.resetModel();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.abort.abort();
    await this.ready.catch(() => {});
    await this.learner.scheduler.idle();
    await this.snapshots.idle();
    this.disposed = true;
    this.deviceLoss.dispose();
    this.sync.dispose();
    this.store.close();
    this.live?.dispose();
    this.live = null;
  }
}
