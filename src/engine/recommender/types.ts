import type { PersonalModel } from '../store/personalModel';
import type { AdapterKind } from '../train/adapters';
import type { CatalogItem } from '../data/catalog';
import type { LocalRecErrorCode, SerializedError } from '../errors';
import type { NewItemSlots } from '../rank/newItemSlots';
import type { FinetunePolicy } from '../train/finetunePolicy';

/** Where tensors run. `auto` = a real GPU through WebGPU, else WASM, else CPU (never a software GPU). */
export type Device = 'auto' | 'webgpu' | 'wasm' | 'cpu';
/** A backend actually in use. */
export type Backend = Exclude<Device, 'auto'>;

/** Kinds of interaction. How each weighs in context and in training is defined once, in `signals.ts`. */
export type EventType = 'view' | 'like' | 'dislike' | 'search' | 'open';

/** One thing the person did with an item; stored in IndexedDB, in time order. */
export interface InteractionEvent {
  itemId: number;
  type: EventType;
  /** Milliseconds since the epoch. */
  at: number;
}

/** Loading and learning progress, one union keyed by `status`. */
export type ProgressEvent =
  | { status: 'initiate'; file: string }
  | { status: 'download'; file: string }
  | { status: 'progress'; file: string; loaded: number; total: number; overallLoaded: number; overallTotal: number }
  | { status: 'done'; file: string; fromCache: boolean }
  | { status: 'ready'; backend: Backend; adapter: string | null }
  | { status: 'learning'; step: number; of: number; loss: number }
  | { status: 'learned'; steps: number; accepted: boolean; reason: string }
  /**
   * Stored data changed: re-read history/status and re-rank. `origin: 'remote'` = another tab
   * (or engine with the same namespace) wrote it and this engine has already reloaded it.
   */
  /**
   * Something failed outside a call the page made (background fine-tuning, a storage read, another
   * tab's change, an IndexedDB upgrade blocked by another tab, a crashed engine worker that was
   * restarted): nothing is stuck, and `message` says what to do. `during: 'learn'` and
   * `during: 'worker'` also end a fine-tuning run that sent `learning` events.
   */
  | { status: 'error'; during: 'learn' | 'storage' | 'sync' | 'worker'; code: LocalRecErrorCode; message: string }
  /**
   * The GPU device the engine ran on was lost (tfjs cannot recover it). `now`: the backend the
   * engine reloaded the model on and goes on with (device `auto`), or null when it stopped (an
   * explicitly requested `webgpu`: calls that need the model throw `DeviceLostError`). Stored
   * history and checkpoints are kept either way; `message` says what happened and what to do.
   */
  | { status: 'device-lost'; lost: Backend; now: Backend | null; threads: boolean; message: string }
  | { status: 'updated'; what: UpdateKind; origin: 'local' | 'remote'; snapshot: EngineSnapshot };

/**
 * What an `updated` event changed. `status`: only `EngineStatus` fields moved (e.g. a fine-tuning
 * run was rolled back, or the model finished loading); the feed's inputs are the same.
 */
export type UpdateKind = 'history' | 'checkpoint' | 'settings' | 'all' | 'status';

/**
 * How the history changed since the previous snapshot. `appended`: these events were stored (a
 * reader inserts each after every event with the same or an earlier `at`, which is the stored
 * order); `replaced`: re-read it (`state()` or `history()`), e.g. after an import, a delete or a
 * write in another tab.
 */
export type HistoryChange =
  | { kind: 'unchanged' }
  | { kind: 'appended'; events: InteractionEvent[] }
  | { kind: 'replaced' };

/**
 * One versioned change, sent with every `updated` event: what a UI shows besides the feed, so it
 * needs no further reads. Apply it to an `EngineState` with `applySnapshot`.
 */
export interface EngineSnapshot {
  /** +1 per change, in the order the changes happened (a gap means a missed change: re-read `state()`). */
  version: number;
  status: EngineStatus;
  settings: EngineSettings;
  history: HistoryChange;
}

/** Everything a UI shows besides the feed, at one snapshot version (`Recommender.state()`). */
export interface EngineState {
  version: number;
  status: EngineStatus;
  settings: EngineSettings;
  history: InteractionEvent[];
}

/** Catalog entry of a model folder: the item plus its popularity (users in the training data). */
export interface CatalogEntry extends CatalogItem {
  popularity: number;
}

/** Options of `createRecommender` (page, worker and Node alike). */
export interface RecommenderOptions {
  /** Model folder URL (contains manifest.json, model.json, weights.bin, catalog.json). */
  modelUrl: string;
  device?: Device;
  /** Storage namespace: several engines on one page keep separate histories. */
  namespace?: string;
  onProgress?: (e: ProgressEvent) => void;
  /** Fine-tuning policy overrides (defaults: `DEFAULT_FINETUNE_POLICY`). */
  policy?: Partial<FinetunePolicy>;
  /**
   * Where the tfjs WASM binaries are served from (file name -> URL, or a URL prefix ending in "/").
   * The worker entry passes the files bundled with the app; never a CDN. Omit in Node.
   */
  wasmPaths?: WasmPaths;
  /**
   * Use multi-threaded WASM when the page is cross-origin isolated (default true). The threaded
   * build starts its pthread workers from the minified source of its factory, which breaks when
   * a bundler minifies the worker: build the worker unminified or set this to false.
   */
  wasmThreads?: boolean;
  /**
   * Feed positions reserved for new items (catalog popularity 0), ranked among themselves by
   * their content-based score; default `NEW_ITEM_SLOTS` (2 of every 10); null = no slots (new
   * items compete in the one ranking). No effect on a catalog without new items.
   */
  newItemSlots?: NewItemSlots | null;
  /** Fault injection for end-to-end tests only (the app passes it with `?hooks=1`); never set it in production. */
  testing?: EngineTestHooks;
}

/** Test-only switches (`RecommenderOptions.testing`). */
export interface EngineTestHooks {
  /** Let `auto` choose WebGPU on a software adapter (SwiftShader), so GPU faults can be tested on a machine without a GPU. */
  autoAcceptsSoftwareGpu?: boolean;
  /** Destroy the GPU device after step `step` of fine-tuning run number `run` (1-based) of this engine. */
  loseGpuDevice?: { run: number; step: number };
}

/** tfjs-backend-wasm binary locations: a prefix, or one URL per file name. */
export type WasmPaths = string | Partial<Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>>;

/** Which page of the feed `recommend` returns, and how it is ranked. */
export interface RecommendOptions {
  count: number;
  offset?: number;
  /** 0 = familiar (pure relevance) ... 1 = discover (diversity, novelty, exploration). */
  discover?: number;
  /** Show items already seen or disliked (off by default). */
  includeSeen?: boolean;
}

/** One feed entry: an item id (look it up in `catalog()`), its score and where the ranking came from. */
export interface Recommendation {
  itemId: number;
  /** Ranking score (model logit, or popularity-based before the model can personalise). */
  score: number;
  /**
   * `model`: ranked by the (fine-tuned) model from the history; `new`: an item without training
   * signal yet, ranked among new items by its content-based score into a new-item slot
   * (`NEW_ITEM_SLOTS`); `popular`: cold-start list.
   */
  source: 'model' | 'new' | 'popular';
}

/** What the engine runs on once `ready` resolves: backend, threads, model, and notes worth showing. */
export interface ReadyInfo {
  backend: Backend;
  adapter: string | null;
  /** WASM runs multi-threaded (needs cross-origin isolation); false on other backends. */
  threads: boolean;
  numItems: number;
  modelName: string;
  /** Identifies the exact pretrained weights (sha256 of model.json + weights); checkpoints are tied to it. */
  modelId: string;
  /** Things worth telling the person, e.g. why `auto` did not pick WebGPU. */
  notes: string[];
}

/** What the engine has learned and stored: shown in a status panel. */
export interface EngineStatus {
  ready: boolean;
  backend: Backend | null;
  /** Stored interaction events. */
  interactions: number;
  /** Fine-tuning steps accepted into the current checkpoint (0 = pretrained). */
  fineTuneSteps: number;
  /** When the checkpoint was last updated (ms since epoch), null on the pretrained model. */
  lastUpdate: number | null;
  personalized: boolean;
  /**
   * What the stored personal model is (a per-person adapter, by default, or changed weights) and its
   * size in this browser; null on the pretrained model.
   */
  personalModel: PersonalModel | null;
  /** A fine-tuning run is in progress in this engine. */
  learning: boolean;
  /** Events recorded since the checkpoint was last trained. */
  pendingEvents: number;
  /** Background fine-tuning starts when `pendingEvents` reaches this. */
  learnAfter: number;
  /** Where the data is kept: `memory` when IndexedDB could not be opened (nothing survives the tab). */
  storage: StorageMode;
  /**
   * Problems the person should know about now, in words (data kept in memory only, a fine-tuned
   * model that could not be saved, a damaged stored model skipped). Empty when all is well.
   */
  notes: string[];
}

/** Where the person's data is kept. */
export type StorageMode = 'indexeddb' | 'memory';

/** Engine settings kept in IndexedDB (and in exports). */
export interface EngineSettings {
  /** 0 = familiar ... 1 = discover; used when `recommend` gets no `discover`. */
  discover: number;
  /** Fine-tune in the background after `learnAfter` new events. */
  autoLearn: boolean;
  /** The person finished or skipped onboarding. */
  onboarded: boolean;
}

/** Tensor memory of the engine's backend (from `tf.memory()` where the engine runs). */
export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  backend: Backend | null;
}

/** Options of `learn()`. */
export interface LearnOptions {
  /** Train now even if fewer than `learnAfter` new events arrived (still needs enough history). */
  force?: boolean;
}

/** What `importData` stored. */
export interface ImportResult {
  events: number;
  /** A fine-tuned checkpoint was imported and is in use. */
  checkpoint: boolean;
  /** Why a checkpoint in the file was not used (trained from other pretrained weights), else null. */
  note: string | null;
}

/** The outcome of one fine-tuning run (`learn()`). */
export interface LearnReport {
  steps: number;
  accepted: boolean;
  reason: string;
  /** Validation loss on the person's most recent interaction before / after fine-tuning. */
  lossBefore: number | null;
  lossAfter: number | null;
  backend: Backend;
  /** Wall time of the run, ms. */
  ms: number;
}

/** Why an item is in the feed (`explain(itemId)`): the history items behind it and a sentence. */
export interface Explanation {
  itemId: number;
  /** History items that drove the pick, strongest first, with a 0..1 weight. */
  because: { itemId: number; weight: number }[];
  /** Human-readable learned signal, e.g. "you liked 3 Sci-Fi films this week". */
  summary: string;
  /**
   * The person's release-year bias moves this item up (rank/personYearBias.ts): the item's years
   * ("1997", "1990–1993") and the score it adds. Absent when it does not.
   */
  releaseYears?: { years: string; boost: number };
}

/** Everything stored for a person, as written by `exportData` and read by `importData`. */
export interface ExportBundle {
  format: 'localrec-export';
  version: 1;
  exportedAt: number;
  model: string;
  events: InteractionEvent[];
  settings: Record<string, unknown>;
  /** Fine-tuned weights (base64 float32) or null when still on the pretrained model. */
  checkpoint: ExportedCheckpoint | null;
}

/** Fine-tuned weights in an `ExportBundle`. */
export interface ExportedCheckpoint {
  /** `ReadyInfo.modelId` of the pretrained weights this checkpoint was trained from. */
  modelId: string;
  steps: number;
  updatedAt: number;
  /** Events already used for training when the checkpoint was written. */
  trainedEvents: number;
  /** Changed parameters: name -> base64 of little-endian float32. */
  weights: Record<string, string>;
  /**
   * A per-person adapter (train/adapters.ts) applied on top of the pretrained weights, tensors in
   * the same encoding; absent in bundles from before adapters (they keep importing).
   */
  adapter?: { kind: AdapterKind; rank: number; tensors: Record<string, string> };
  /**
   * Parameters stored as the rows learning touched (large catalogs): name -> base64 of
   * little-endian int32 row ids and float32 row values. Absent in bundles written before.
   */
  sparse?: Record<string, { ids: string; values: string }>;
  /** Adam moments (same encodings; `rows` for the row-stored parameters) or null. */
  optimizer: { step: number; m: Record<string, string>; v: Record<string, string>; rows?: Record<string, { ids: string; m: string; v: string }> } | null;
}

/**
 * The one engine interface. Implemented in-process and by the worker proxy, so UI code does not
 * care where the engine runs. All results are plain data.
 */
export interface Recommender {
  /** Resolves when the model is loaded on a backend; rejects with the load/device error. */
  readonly ready: Promise<ReadyInfo>;
  /** The catalog (available before the model weights finish loading). */
  catalog(): Promise<CatalogEntry[]>;
  /** A page of the feed. Works before `ready` (popular-and-varied list, `source: 'popular'`). */
  recommend(opts: RecommendOptions): Promise<Recommendation[]>;
  /** Stores an event (resolves after the write commits); may start background fine-tuning. */
  record(event: InteractionEvent): Promise<void>;
  history(): Promise<InteractionEvent[]>;
  /** Fine-tunes now (in the worker when proxied); resolves with what happened. */
  learn(opts?: LearnOptions): Promise<LearnReport>;
  explain(itemId: number): Promise<Explanation>;
  status(): Promise<EngineStatus>;
  /**
   * Status, settings and history at the current snapshot version, read together; later changes
   * arrive as `updated` events carrying an `EngineSnapshot` (apply them with `applySnapshot`).
   */
  state(): Promise<EngineState>;
  memory(): Promise<MemoryInfo>;
  getSettings(): Promise<EngineSettings>;
  setSettings(patch: Partial<EngineSettings>): Promise<EngineSettings>;
  exportData(): Promise<ExportBundle>;
  /** Replaces stored data with a validated bundle; a bad bundle throws IMPORT_INVALID and changes nothing. */
  importData(bundle: unknown): Promise<ImportResult>;
  /** Deletes the history, checkpoints, settings (the whole IndexedDB database) and the cached model files. */
  deleteData(): Promise<void>;
  /** Drops the fine-tuned checkpoint and goes back to the pretrained weights (history is kept). */
  resetModel(): Promise<void>;
  dispose(): Promise<void>;
}

/** Result envelope of worker RPC (errors cross as {name, code, message}). */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };
