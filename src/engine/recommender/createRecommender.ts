import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import { defaultFileCache, type FileCache } from '../loading/fileCache';
import { fetchManifest, fetchModelFiles, requiredFiles, resolveModelUrl, type FetchLike } from '../loading/fetchModelFiles';
import type { ModelManifest } from '../loading/manifest';
import { modelIdOf, parseCatalog, parseModel } from '../loading/parseModelFiles';
import { SasRec } from '../model/sasrec';
import { CatalogIndex, popularFeed, rankFromScores } from '../rank/rankFeed';
import { scoreCatalog } from '../rank/scoreCatalog';
import { selectBackend } from '../runtime/selectBackend';
import { interpretEvents, isEventType } from '../signals';
import { makeBundle, validateBundle } from '../store/exportBundle';
import { LocalStore, type StoredCheckpoint } from '../store/localStore';
import { TabSync, type SyncMessage } from '../store/tabSync';
import { finetune } from '../train/finetune';
import { resolvePolicy, type FinetunePolicy } from '../train/finetunePolicy';
import { explainItem } from './explain';
import type {
  Backend,
  CatalogEntry,
  EngineSettings,
  EngineStatus,
  Explanation,
  ExportBundle,
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
} from './types';

/** In-process options: what cannot cross a worker boundary (functions, caches) may be given here. */
export interface LocalRecommenderOptions extends RecommenderOptions {
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Model file cache; default Cache API (memory where missing); null = no caching. */
  cache?: FileCache | null;
  /** Exemplar sequences of other people replayed during fine-tuning. */
  replay?: number[][];
}

interface LoadedModel {
  manifest: ModelManifest;
  modelId: string;
  model: SasRec;
  /** Pretrained values of every parameter (the anchor of fine-tuning and of resetModel). */
  pretrained: Map<string, tf.Tensor>;
  backend: Backend;
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
  private readonly abort = new AbortController();
  private readonly catalogPromise: Promise<CatalogIndex>;
  private resolveCatalog!: (c: CatalogIndex) => void;
  private rejectCatalog!: (e: unknown) => void;
  private loaded: LoadedModel | null = null;
  private checkpoint: StoredCheckpoint | null = null;
  private eventsCache: InteractionEvent[] | null = null;
  private learning: Promise<LearnReport> | null = null;
  /** Event count at the last fine-tuning attempt (so a rejected run waits for new signal). */
  private lastAttemptEvents = 0;
  /** Bumped by reset/import/delete: a training run that started before is discarded. */
  private generation = 0;
  private disposed = false;

  constructor(options: LocalRecommenderOptions) {
    this.opts = { ...options };
    this.policy = resolvePolicy(options.policy);
    this.folder = resolveModelUrl(options.modelUrl);
    this.cache = options.cache === undefined ? defaultFileCache() : options.cache;
    const namespace = options.namespace ?? 'default';
    this.store = new LocalStore(namespace);
    this.sync = new TabSync(namespace, this.store, (m) => void this.onRemote(m));
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

  private check(): void {
    if (this.disposed) throw new LocalRecError('DISPOSED', 'This recommender was disposed. Create a new one.');
  }

  private async load(): Promise<ReadyInfo> {
    try {
      const fetchOpts = { fetch: this.opts.fetch, cache: this.cache, onProgress: (e: ProgressEvent) => this.emit(e), signal: this.abort.signal };
      const [backendInfo, files] = await Promise.all([
        selectBackend(this.opts.device ?? 'auto', { wasmPaths: this.opts.wasmPaths }),
        (async () => {
          const manifest = await fetchManifest(this.folder, fetchOpts);
          const bytes = await fetchModelFiles(this.folder, manifest, requiredFiles(manifest), {
            ...fetchOpts,
            onFile: (path, b) => { if (path === 'catalog.json') this.resolveCatalog(new CatalogIndex(parseCatalog(b))); },
          });
          return { manifest, bytes };
        })(),
      ]);
      if (!files.bytes.has('catalog.json')) throw new LocalRecError('MODEL_FORMAT', 'The model folder has no catalog.json. Re-export it.');
      this.check();
      const model = parseModel(files.bytes);
      const catalog = await this.catalogPromise;
      if (catalog.items.some((it) => it.id > model.config.numItems)) {
        model.dispose();
        throw new LocalRecError('MODEL_FORMAT', `catalog.json has item ids above the model's ${model.config.numItems} items. The catalog belongs to another model.`);
      }
      const pretrained = new Map([...model.weights].map(([n, v]) => [n, tf.clone(v)] as [string, tf.Tensor]));
      this.loaded = { manifest: files.manifest, modelId: modelIdOf(files.manifest), model, pretrained, backend: backendInfo.backend };
      await this.reloadCheckpoint();
      const notes = [...backendInfo.notes];
      const stored = await this.store.getCheckpoint();
      if (stored && stored.modelId !== this.loaded.modelId) notes.push('A fine-tuned checkpoint from another model version is stored; starting from the pretrained model.');
      this.emit({ status: 'ready', backend: backendInfo.backend, adapter: backendInfo.adapter });
      return {
        backend: backendInfo.backend,
        adapter: backendInfo.adapter,
        threads: backendInfo.threads,
        numItems: model.config.numItems,
        modelName: files.manifest.name,
        modelId: this.loaded.modelId,
        notes,
      };
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
  }

  private async events(): Promise<InteractionEvent[]> {
    if (!this.eventsCache) this.eventsCache = await this.store.events();
    return this.eventsCache;
  }

  private async onRemote(m: SyncMessage): Promise<void> {
    if (this.disposed) return;
    try {
      switch (m.kind) {
        case 'events':
          this.eventsCache = null;
          this.emit({ status: 'updated', what: 'history', origin: 'remote' });
          return;
        case 'checkpoint':
          if (this.loaded) await this.reloadCheckpoint();
          this.emit({ status: 'updated', what: 'checkpoint', origin: 'remote' });
          return;
        case 'settings':
          this.emit({ status: 'updated', what: 'settings', origin: 'remote' });
          return;
        case 'replaced':
        case 'deleted':
          this.eventsCache = null;
          this.generation++;
          if (this.loaded) await this.reloadCheckpoint();
          this.emit({ status: 'updated', what: 'all', origin: 'remote' });
          return;
        default: {
          const never: never = m;
          throw new Error(`unknown sync message ${JSON.stringify(never)}`);
        }
      }
    } catch {
      // The next read reloads from IndexedDB anyway.
      this.eventsCache = null;
    }
  }

  async catalog(): Promise<CatalogEntry[]> {
    this.check();
    return [...(await this.catalogPromise).items];
  }

  async recommend(opts: RecommendOptions): Promise<Recommendation[]> {
    this.check();
    const count = opts?.count;
    const offset = opts?.offset ?? 0;
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new LocalRecError('INVALID_INPUT', `recommend: count must be an integer 1..1000 (got ${String(count)}).`);
    if (!Number.isInteger(offset) || offset < 0) throw new LocalRecError('INVALID_INPUT', `recommend: offset must be an integer >= 0 (got ${String(offset)}).`);
    if (opts.discover !== undefined && !(opts.discover >= 0 && opts.discover <= 1)) throw new LocalRecError('INVALID_INPUT', `recommend: discover must be in [0, 1] (got ${String(opts.discover)}).`);
    const [catalog, events, settings] = await Promise.all([this.catalogPromise, this.events(), this.store.getSettings()]);
    const view = interpretEvents(events);
    const q = { count, offset, discover: opts.discover ?? settings.discover, exclude: opts.includeSeen ? new Set<number>() : view.seen };
    const l = this.loaded;
    if (!l || view.sequence.length === 0) return popularFeed(catalog, q);
    const scores = await scoreCatalog(l.model, view.sequence);
    this.check();
    return rankFromScores(scores, catalog, q);
  }

  async record(event: InteractionEvent): Promise<void> {
    this.check();
    const catalog = await this.catalogPromise;
    const e = event as Partial<InteractionEvent>;
    if (!Number.isInteger(e?.itemId) || !catalog.byId.has(e.itemId as number)) throw new LocalRecError('INVALID_INPUT', `record: itemId ${JSON.stringify(e?.itemId)} is not in the catalog.`);
    if (!isEventType(e.type)) throw new LocalRecError('INVALID_INPUT', `record: type ${JSON.stringify(e.type)} is not one of like, dislike, view, search, open.`);
    if (typeof e.at !== 'number' || !Number.isFinite(e.at) || e.at < 0) throw new LocalRecError('INVALID_INPUT', 'record: "at" must be a time in milliseconds since the epoch.');
    const clean: InteractionEvent = { itemId: e.itemId as number, type: e.type, at: e.at };
    await this.store.appendEvent(clean);
    if (this.eventsCache) this.eventsCache = [...this.eventsCache, clean].sort((a, b) => a.at - b.at);
    this.sync.post('events');
    this.emit({ status: 'updated', what: 'history', origin: 'local' });
    void this.maybeLearnInBackground();
  }

  private async maybeLearnInBackground(): Promise<void> {
    if (!this.loaded || this.learning || this.disposed) return;
    try {
      const settings = await this.store.getSettings();
      if (!settings.autoLearn) return;
      if ((await this.pendingEvents()) < this.policy.learnAfter) return;
      await this.learn();
    } catch {
      // Background runs report through onProgress ('learned'); an explicit learn() surfaces errors.
    }
  }

  private async pendingEvents(): Promise<number> {
    const n = (await this.events()).length;
    return Math.max(0, n - Math.max(this.checkpoint?.trainedEvents ?? 0, this.lastAttemptEvents));
  }

  async history(): Promise<InteractionEvent[]> {
    this.check();
    return [...(await this.events())];
  }

  learn(opts: LearnOptions = {}): Promise<LearnReport> {
    this.check();
    if (this.learning) return this.learning;
    const run = this.runLearn(opts).finally(() => { this.learning = null; });
    this.learning = run;
    return run;
  }

  private async runLearn(opts: LearnOptions): Promise<LearnReport> {
    const l = await this.model();
    const t0 = Date.now();
    const report = (r: Omit<LearnReport, 'backend' | 'ms'>): LearnReport => {
      const full = { ...r, backend: l.backend, ms: Date.now() - t0 };
      this.emit({ status: 'learned', steps: full.steps, accepted: full.accepted, reason: full.reason });
      return full;
    };
    if (!opts.force && (await this.pendingEvents()) < this.policy.learnAfter) {
      return report({ steps: 0, accepted: false, reason: `waiting for ${this.policy.learnAfter} new interactions`, lossBefore: null, lossAfter: null });
    }
    const outcome = await this.sync.whileTraining(() => this.trainOnce(l));
    if (!outcome.ran) return report({ steps: 0, accepted: false, reason: 'another tab is training; it will share the result', lossBefore: null, lossAfter: null });
    return report(outcome.value);
  }

  /** One fine-tuning run on a copy of the live model; the live model changes only if it is accepted. */
  private async trainOnce(l: LoadedModel): Promise<Omit<LearnReport, 'backend' | 'ms'>> {
    const generation = this.generation;
    await this.reloadCheckpoint();
    this.eventsCache = null;
    const events = await this.events();
    const view = interpretEvents(events);
    const copy = new SasRec(l.model.config, new Map([...l.model.weights].map(([n, v]) => [n, tf.variable(v, true)])), l.model.features);
    try {
      const r = await finetune({
        model: copy,
        pretrained: l.pretrained,
        history: view,
        policy: this.policy,
        optimizerState: this.checkpoint?.optimizer ?? null,
        replay: this.opts.replay,
        signal: this.abort.signal,
        onStep: (step, of, loss) => this.emit({ status: 'learning', step, of, loss }),
      });
      this.lastAttemptEvents = events.length;
      if (!r.accepted || generation !== this.generation || this.disposed) {
        return { steps: 0, accepted: false, reason: r.accepted ? 'discarded: the data changed while training' : r.reason, lossBefore: r.valBefore, lossAfter: r.valAfter };
      }
      const weights: Record<string, Float32Array> = {};
      for (const name of r.trainable) weights[name] = (await copy.w(name).data()) as Float32Array;
      const checkpoint: StoredCheckpoint = {
        modelId: l.modelId,
        steps: (this.checkpoint?.steps ?? 0) + r.steps,
        updatedAt: Date.now(),
        trainedEvents: events.length,
        weights,
        optimizer: r.optimizerState,
      };
      await this.store.putCheckpoint(checkpoint);
      if (generation !== this.generation || this.disposed) {
        return { steps: 0, accepted: false, reason: 'discarded: the data changed while training', lossBefore: r.valBefore, lossAfter: r.valAfter };
      }
      await this.reloadCheckpoint();
      this.sync.post('checkpoint');
      this.emit({ status: 'updated', what: 'checkpoint', origin: 'local' });
      return { steps: r.steps, accepted: true, reason: r.reason, lossBefore: r.valBefore, lossAfter: r.valAfter };
    } finally {
      for (const v of copy.weights.values()) v.dispose();
    }
  }

  async explain(itemId: number): Promise<Explanation> {
    const l = await this.model();
    const catalog = await this.catalogPromise;
    if (!catalog.byId.has(itemId)) throw new LocalRecError('INVALID_INPUT', `explain: item ${itemId} is not in the catalog.`);
    return explainItem(l.model, catalog, await this.events(), itemId);
  }

  async status(): Promise<EngineStatus> {
    this.check();
    const events = await this.events();
    return {
      ready: this.loaded !== null,
      backend: this.loaded?.backend ?? null,
      interactions: events.length,
      fineTuneSteps: this.checkpoint?.steps ?? 0,
      lastUpdate: this.checkpoint?.updatedAt ?? null,
      personalized: this.checkpoint !== null,
      learning: this.learning !== null,
      pendingEvents: await this.pendingEvents(),
      learnAfter: this.policy.learnAfter,
    };
  }

  async memory(): Promise<MemoryInfo> {
    this.check();
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes, backend: this.loaded?.backend ?? null };
  }

  async getSettings(): Promise<EngineSettings> {
    this.check();
    return this.store.getSettings();
  }

  async setSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    this.check();
    const p = patch as Record<string, unknown>;
    for (const [k, v] of Object.entries(p ?? {})) {
      const ok = k === 'discover' ? typeof v === 'number' && v >= 0 && v <= 1 : (k === 'autoLearn' || k === 'onboarded') && typeof v === 'boolean';
      if (!ok) throw new LocalRecError('INVALID_INPUT', `setSettings: "${k}" = ${JSON.stringify(v)} is not a valid setting (discover: 0..1, autoLearn/onboarded: true or false).`);
    }
    const next = { ...(await this.store.getSettings()), ...patch };
    await this.store.putSettings(next);
    this.sync.post('settings');
    this.emit({ status: 'updated', what: 'settings', origin: 'local' });
    return next;
  }

  async exportData(): Promise<ExportBundle> {
    this.check();
    const name = this.loaded?.manifest.name ?? '';
    const [events, settings, checkpoint] = await Promise.all([this.store.events(), this.store.getSettings(), this.store.getCheckpoint()]);
    return makeBundle(name, events, settings, checkpoint);
  }

  async importData(bundle: unknown): Promise<ImportResult> {
    const l = await this.model();
    const valid = validateBundle(bundle, {
      numItems: l.model.config.numItems,
      modelId: l.modelId,
      weightSizes: new Map([...l.model.weights].map(([n, v]) => [n, v.size])),
    });
    this.generation++;
    await this.store.replaceAll(valid);
    this.eventsCache = null;
    this.lastAttemptEvents = 0;
    await this.reloadCheckpoint();
    this.sync.post('replaced');
    this.emit({ status: 'updated', what: 'all', origin: 'local' });
    return { events: valid.events.length, checkpoint: valid.checkpoint !== null };
  }

  async deleteData(): Promise<void> {
    this.check();
    this.generation++;
    await this.store.destroy();
    await this.cache?.clear();
    this.eventsCache = [];
    this.lastAttemptEvents = 0;
    if (this.loaded) await this.reloadCheckpoint();
    this.sync.post('deleted');
    this.emit({ status: 'updated', what: 'all', origin: 'local' });
  }

  async resetModel(): Promise<void> {
    await this.model();
    this.generation++;
    await this.store.deleteCheckpoint();
    this.lastAttemptEvents = (await this.events()).length;
    await this.reloadCheckpoint();
    this.sync.post('checkpoint');
    this.emit({ status: 'updated', what: 'checkpoint', origin: 'local' });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.abort.abort();
    await this.ready.catch(() => {});
    await this.learning?.catch(() => {});
    this.disposed = true;
    this.sync.dispose();
    this.store.close();
    if (this.loaded) {
      this.loaded.model.dispose();
      for (const t of this.loaded.pretrained.values()) t.dispose();
      this.loaded = null;
    }
  }
}
