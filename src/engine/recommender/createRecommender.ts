import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import { defaultFileCache, type FileCache } from '../loading/fileCache';
import { resolveModelUrl, type FetchLike } from '../loading/fetchModelFiles';
import { checkRecommendOptions, popularFeed, rankFromScores, type CatalogIndex } from '../rank/rankFeed';
import { checkNewItemSlots, NEW_ITEM_SLOTS } from '../rank/newItemSlots';
import { yieldToEventLoop } from '../runtime/yieldToEventLoop';
import { isEventType } from '../signals';
import { validateBundle } from '../store/exportBundle';
import { LocalStore, type StoredCheckpoint } from '../store/localStore';
import { TabSync, type SyncMessage } from '../store/tabSync';
import { resolvePolicy, type FinetunePolicy } from '../train/finetunePolicy';
import { explainItem } from './explain';
import { HistoryCache, type HistoryRead } from './historyCache';
import { LearnScheduler } from './learnScheduler';
import { loadModelFolder, type LoadedModel } from './loadModelFolder';
import { exportPersonData, storeImport } from './personData';
import { PersonScores } from './personScores';
import { trainCheckpoint } from './trainCheckpoint';
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
  Recommender,
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
export function createRecommender(options: LocalRecommenderOptions): Recommender {
  return new LocalRecommender(options);
}

class LocalRecommender implements Recommender {
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
  private loaded: LoadedModel | null = null;
  /** The person's scores per (weights, history) version and the item table of the live weights. */
  private scoring: PersonScores | null = null;
  private checkpoint: StoredCheckpoint | null = null;
  private settingsCache: EngineSettings | null = null;
  private settingsVersion = 0;
  /** Bumped by reset/import/delete: a training run that started before is discarded. */
  private generation = 0;
  private writeQueue: Promise<void> = Promise.resolve();
  /** Snapshots are built one after another, so versions follow the order of the changes. */
  private publishQueue: Promise<void> = Promise.resolve();
  private snapshotVersion = 0;
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
    this.scheduler = new LearnScheduler({
      learnAfter: this.policy.learnAfter,
      run: (o) => this.runLearn(o),
      autoLearn: async () => (await this.settings()).autoLearn,
      eventCount: async () => (await this.events.read()).events.length,
      trainedEvents: () => this.checkpoint?.trainedEvents ?? 0,
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
      this.loaded = loaded;
      this.scoring = new PersonScores(loaded.model, this.policy, loaded.catalog.popularityPrior(loaded.model.config.numItems));
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
    if (!this.loaded) throw new LocalRecError('NOT_READY', 'The model is not loaded.');
    return this.loaded;
  }

  /** Reads the stored checkpoint and puts its weights (or the pretrained ones) into the live model. */
  private async reloadCheckpoint(): Promise<void> {
    const l = this.loaded;
    if (!l) return;
    const c = await this.store.getCheckpoint();
    this.checkpoint = c && c.modelId === l.modelId ? c : null;
    tf.tidy(() => {
      for (const [name, v] of l.model.weights) {
        const w = this.checkpoint?.weights[name];
        v.assign(w && w.length === v.size ? tf.tensor(w, v.shape) : (l.pretrained.get(name) as tf.Tensor));
      }
    });
    this.scoring?.weightsChanged();
  }

  /** Settings, cached until written (a read that overlapped a write is not cached). */
  private async settings(): Promise<EngineSettings> {
    if (this.settingsCache) return this.settingsCache;
    const version = this.settingsVersion;
    const s = await this.store.getSettings();
    if (version === this.settingsVersion) this.settingsCache = s;
    return s;
  }

  private forgetSettings(): void {
    this.settingsVersion++;
    this.settingsCache = null;
  }

  /**
   * Sends one `updated` event with a snapshot of status and settings. Never rejects: a failed
   * read is reported as an error event (the next snapshot's counts make readers re-read).
   */
  private publish(what: UpdateKind, origin: 'local' | 'remote', history: HistoryChange): Promise<void> {
    const run = this.publishQueue.then(async () => {
      if (this.disposed) return;
      const h = await this.events.read();
      const [settings, status] = [await this.settings(), this.statusOf(h)];
      this.emit({ status: 'updated', what, origin, snapshot: { version: ++this.snapshotVersion, status, settings: { ...settings }, history } });
    });
    this.publishQueue = run.catch((err: unknown) => this.reportError('storage', err));
    return this.publishQueue;
  }

  private async onRemote(m: SyncMessage): Promise<void> {
    if (this.disposed) return;
    try {
      switch (m.kind) {
        case 'events':
          this.events.invalidate();
          await this.publish('history', 'remote', { kind: 'replaced' });
          return;
        case 'checkpoint':
          if (this.loaded) await this.reloadCheckpoint();
          await this.publish('checkpoint', 'remote', { kind: 'unchanged' });
          return;
        case 'settings':
          this.forgetSettings();
          await this.publish('settings', 'remote', { kind: 'unchanged' });
          return;
        case 'replaced':
        case 'deleted':
          if (m.kind === 'deleted') this.store.markDeleted();
          this.events.invalidate();
          this.forgetSettings();
          this.generation++;
          if (this.loaded) await this.reloadCheckpoint();
          await this.publish('all', 'remote', { kind: 'replaced' });
          return;
        default: {
          const never: never = m;
          throw new Error(`unknown sync message ${JSON.stringify(never)}`);
        }
      }
    } catch (err) {
      // Reload everything on the next read, and say that following the other tab failed.
      this.events.invalidate();
      this.forgetSettings();
      this.reportError('sync', err);
    }
  }

  async catalog(): Promise<CatalogEntry[]> {
    this.check();
    return [...(await this.catalogPromise).items];
  }

  async recommend(opts: RecommendOptions): Promise<Recommendation[]> {
    this.check();
    const { count, offset } = checkRecommendOptions(opts);
    const [catalog, h, settings] = await Promise.all([this.catalogPromise, this.events.read(), this.settings()]);
    const q = { count, offset, discover: opts.discover ?? settings.discover, exclude: opts.includeSeen ? new Set<number>() : h.view.seen };
    const scoring = this.scoring;
    if (!scoring || h.view.sequence.length === 0) return popularFeed(catalog, q);
    const scores = await scoring.scores(h);
    this.check();
    return rankFromScores(scores, catalog, q, this.opts.newItemSlots === undefined ? NEW_ITEM_SLOTS : this.opts.newItemSlots);
  }

  async record(event: InteractionEvent): Promise<void> {
    this.check();
    const catalog = await this.catalogPromise;
    const e = event as Partial<InteractionEvent>;
    if (!Number.isInteger(e?.itemId) || !catalog.byId.has(e.itemId as number)) throw new LocalRecError('INVALID_INPUT', `record: itemId ${JSON.stringify(e?.itemId)} is not in the catalog.`);
    if (!isEventType(e.type)) throw new LocalRecError('INVALID_INPUT', `record: type ${JSON.stringify(e.type)} is not one of like, dislike, view, search, open.`);
    if (typeof e.at !== 'number' || !Number.isFinite(e.at) || e.at < 0) throw new LocalRecError('INVALID_INPUT', 'record: "at" must be a time in milliseconds since the epoch.');
    const clean: InteractionEvent = { itemId: e.itemId as number, type: e.type, at: e.at };
    await this.events.append(clean, () => this.store.appendEvent(clean));
    this.sync.post('events');
    await this.publish('history', 'local', { kind: 'appended', events: [{ ...clean }] });
    if (this.loaded) void this.scheduler.afterEvent();
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
    const outcome = await this.sync.whileTraining(() => this.trainOnce(l));
    if (!outcome.ran) return report({ steps: 0, accepted: false, reason: 'another tab is training; it will share the result', lossBefore: null, lossAfter: null });
    return report(outcome.value);
  }

  /** After every run (accepted, rolled back or failed): status moves on; a failure is reported. */
  private async afterLearn(err: unknown): Promise<void> {
    if (this.disposed) return;
    if (err !== null) this.reportError('learn', err);
    await this.publish('status', 'local', { kind: 'unchanged' });
  }

  /** One fine-tuning run; the live model and the stored checkpoint change only if it is accepted. */
  private async trainOnce(l: LoadedModel): Promise<Omit<LearnReport, 'backend' | 'ms'>> {
    const generation = this.generation;
    await this.reloadCheckpoint();
    this.events.invalidate();
    const { events, view } = await this.events.read();
    const { result: r, checkpoint } = await trainCheckpoint({
      model: l.model,
      pretrained: l.pretrained,
      modelId: l.modelId,
      history: view,
      eventCount: events.length,
      policy: this.policy,
      previous: this.checkpoint,
      replay: this.opts.replay ?? l.replay,
      signal: this.abort.signal,
      onStep: (step, of, loss) => this.emit({ status: 'learning', step, of, loss }),
    });
    this.scheduler.attempted(events.length);
    const losses = { lossBefore: r.valBefore, lossAfter: r.valAfter };
    if (!checkpoint) return { steps: 0, accepted: false, reason: r.reason, ...losses };
    const stored = await this.exclusive(async () => {
      // Reset, import and delete bump the generation inside the same queue: a run that started
      // before them must not write over their result.
      if (generation !== this.generation || this.disposed) return false;
      await this.store.putCheckpoint(checkpoint);
      await yieldToEventLoop();
      await this.reloadCheckpoint();
      return true;
    });
    if (!stored) return { steps: 0, accepted: false, reason: 'discarded: the data changed while training', ...losses };
    this.sync.post('checkpoint');
    await this.publish('checkpoint', 'local', { kind: 'unchanged' });
    return { steps: r.steps, accepted: true, reason: r.reason, ...losses };
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
      ready: this.loaded !== null,
      backend: this.loaded?.backend.backend ?? null,
      interactions: h.events.length,
      fineTuneSteps: this.checkpoint?.steps ?? 0,
      lastUpdate: this.checkpoint?.updatedAt ?? null,
      personalized: this.checkpoint !== null,
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
    let out: EngineState | null = null;
    const run = this.publishQueue.then(async () => {
      const h = await this.events.read();
      const settings = await this.settings();
      out = { version: this.snapshotVersion, status: this.statusOf(h), settings: { ...settings }, history: [...h.events] };
    });
    this.publishQueue = run.catch(() => undefined);
    await run;
    if (!out) throw new LocalRecError('INTERNAL', 'state: nothing was read. Retry.');
    return out;
  }

  async memory(): Promise<MemoryInfo> {
    this.check();
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, backend: this.loaded?.backend.backend ?? null };
  }

  async getSettings(): Promise<EngineSettings> {
    this.check();
    return { ...(await this.settings()) };
  }

  async setSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    this.check();
    const p = patch as Record<string, unknown>;
    for (const [k, v] of Object.entries(p ?? {})) {
      const ok = k === 'discover' ? typeof v === 'number' && v >= 0 && v <= 1 : (k === 'autoLearn' || k === 'onboarded') && typeof v === 'boolean';
      if (!ok) throw new LocalRecError('INVALID_INPUT', `setSettings: "${k}" = ${JSON.stringify(v)} is not a valid setting (discover: 0..1, autoLearn/onboarded: true or false).`);
    }
    const next = { ...(await this.settings()), ...patch };
    this.forgetSettings();
    await this.store.putSettings(next);
    this.forgetSettings();
    this.settingsCache = next;
    this.sync.post('settings');
    await this.publish('settings', 'local', { kind: 'unchanged' });
    return { ...next };
  }

  async exportData(): Promise<ExportBundle> {
    this.check();
    return exportPersonData(this.store, this.loaded?.manifest.name ?? '');
  }

  async importData(bundle: unknown): Promise<ImportResult> {
    const l = await this.model();
    const valid = validateBundle(bundle, {
      numItems: l.model.config.numItems,
      modelId: l.modelId,
      weightSizes: new Map([...l.model.weights].map(([n, v]) => [n, v.size])),
    });
    const result = await this.exclusive(async () => {
      this.generation++;
      this.events.invalidate();
      this.forgetSettings();
      const r = await storeImport(this.store, valid);
      this.events.invalidate();
      this.scheduler.attempted(0);
      await this.reloadCheckpoint();
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
      this.forgetSettings();
      await this.store.destroy();
      await this.cache?.clear();
      this.events.invalidate();
      this.scheduler.attempted(0);
      if (this.loaded) await this.reloadCheckpoint();
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
    await this.publishQueue;
    this.disposed = true;
    this.sync.dispose();
    this.store.close();
    this.scoring?.dispose();
    this.scoring = null;
    if (this.loaded) {
      this.loaded.model.dispose();
      for (const t of this.loaded.pretrained.values()) t.dispose();
      this.loaded = null;
    }
  }
}
