import type { SerializedError } from '../errors';
import type { RankInputs } from '../recommender/rankInputs';
import type {
  CatalogEntry,
  EngineSettings,
  EngineState,
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
  RecommenderOptions,
  RecommendOptions,
  RpcResult,
} from '../recommender/types';

/** Engine options that cross to the worker (plain data: no callbacks). */
export type WorkerInitOptions = Omit<RecommenderOptions, 'onProgress'>;

/** Every method the worker serves: arguments and result, all structured-cloneable. */
export interface RpcMethods {
  catalog: { args: []; result: CatalogEntry[] };
  recommend: { args: [RecommendOptions]; result: Recommendation[] };
  /** Internal: what the page-side proxy ranks re-ranks from (see `RankInputs`). */
  rankInputs: { args: []; result: RankInputs };
  record: { args: [InteractionEvent]; result: void };
  history: { args: []; result: InteractionEvent[] };
  learn: { args: [LearnOptions | undefined]; result: LearnReport };
  explain: { args: [number]; result: Explanation };
  status: { args: []; result: EngineStatus };
  state: { args: []; result: EngineState };
  memory: { args: []; result: MemoryInfo };
  getSettings: { args: []; result: EngineSettings };
  setSettings: { args: [Partial<EngineSettings>]; result: EngineSettings };
  exportData: { args: []; result: ExportBundle };
  importData: { args: [unknown]; result: ImportResult };
  deleteData: { args: []; result: void };
  resetModel: { args: []; result: void };
  dispose: { args: []; result: void };
}
export type RpcMethod = keyof RpcMethods;

/** A method call, discriminated by `method`. */
export type RpcCall = { [M in RpcMethod]: { kind: 'call'; id: number; method: M; args: RpcMethods[M]['args'] } }[RpcMethod];

/** Page -> worker. */
export type RpcRequest = { kind: 'init'; options: WorkerInitOptions } | RpcCall;

/** Worker -> page. */
export type RpcResponse =
  | { kind: 'ready'; result: RpcResult<ReadyInfo> }
  | { kind: 'result'; id: number; result: RpcResult<unknown> }
  | { kind: 'progress'; event: ProgressEvent }
  /** The feed's inputs for new weights, pushed after the `updated` event of snapshot `version`. */
  | { kind: 'inputs'; inputs: RankInputs; version: number };

export type { SerializedError };

/** The part of a Worker / DedicatedWorkerGlobalScope the RPC uses. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
}
