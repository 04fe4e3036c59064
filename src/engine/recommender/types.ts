import type { CatalogItem } from '../data/catalog';
import type { SerializedError } from '../errors';

/** Where tensors run. `auto` = a real GPU through WebGPU, else WASM, else CPU (never a software GPU). */
export type Device = 'auto' | 'webgpu' | 'wasm' | 'cpu';
/** A backend actually in use. */
export type Backend = Exclude<Device, 'auto'>;

/** Kinds of interaction. How each weighs in context and in training is defined once, in `signals.ts`. */
export type EventType = 'view' | 'like' | 'dislike' | 'search' | 'open';

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
  | { status: 'learned'; steps: number; accepted: boolean; reason: string };

export interface RecommenderOptions {
  /** Model folder URL (contains manifest.json, model.json, weights.bin, catalog.json). */
  modelUrl: string;
  device?: Device;
  /** Storage namespace: several engines on one page keep separate histories. */
  namespace?: string;
  onProgress?: (e: ProgressEvent) => void;
}

export interface RecommendOptions {
  count: number;
  offset?: number;
  /** 0 = familiar (pure relevance) ... 1 = discover (diversity, novelty, exploration). */
  discover?: number;
  /** Show items already seen or disliked (off by default). */
  includeSeen?: boolean;
}

export interface Recommendation {
  itemId: number;
  score: number;
}

export interface ReadyInfo {
  backend: Backend;
  adapter: string | null;
  numItems: number;
  modelName: string;
}

export interface EngineStatus {
  ready: boolean;
  backend: Backend | null;
  interactions: number;
  fineTuneSteps: number;
  lastUpdate: number | null;
  personalized: boolean;
}

export interface LearnReport {
  steps: number;
  accepted: boolean;
  reason: string;
  lossBefore: number | null;
  lossAfter: number | null;
  backend: Backend;
}

export interface Explanation {
  itemId: number;
  /** History items that drove the pick, strongest first, with a 0..1 weight. */
  because: { itemId: number; weight: number }[];
  /** Human-readable learned signal, e.g. "you liked 3 Sci-Fi films this week". */
  summary: string;
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
  checkpoint: { steps: number; updatedAt: number; weights: Record<string, string> } | null;
}

/**
 * The one engine interface. Implemented in-process and by the worker proxy, so UI code does not
 * care where the engine runs. All results are plain data.
 */
export interface Recommender {
  readonly ready: Promise<ReadyInfo>;
  catalog(): Promise<CatalogItem[]>;
  recommend(opts: RecommendOptions): Promise<Recommendation[]>;
  record(event: InteractionEvent): Promise<void>;
  history(): Promise<InteractionEvent[]>;
  learn(): Promise<LearnReport>;
  explain(itemId: number): Promise<Explanation>;
  status(): Promise<EngineStatus>;
  exportData(): Promise<ExportBundle>;
  importData(bundle: unknown): Promise<void>;
  deleteData(): Promise<void>;
  resetModel(): Promise<void>;
  dispose(): Promise<void>;
}

/** Result envelope of worker RPC (errors cross as {name, code, message}). */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };
