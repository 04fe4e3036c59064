/**
 * The LocalRec engine's public API. Page code should import from `./client` (no TensorFlow.js
 * in the main bundle); this entry is for the worker, Node tools and tests.
 */
export { createRecommender } from './recommender/createRecommender';
export type { LocalRecommenderOptions } from './recommender/createRecommender';
export { createWorkerRecommender } from './client';
export type { WorkerLike, WorkerRecommenderOptions } from './client';
export { applySnapshot } from './recommender/engineState';
export { exposeRecommender } from './rpc/exposeRecommender';
export type { MessagePortLike, RpcCall, RpcMethod, RpcMethods, RpcRequest, RpcResponse, WorkerInitOptions } from './rpc/protocol';

export { probeDevices, selectBackend, autoOrder, availableBackends } from './runtime/selectBackend';
export type { BackendInfo, DeviceProbe } from './runtime/selectBackend';

export { cacheApiFileCache, memoryFileCache, defaultFileCache, MODEL_CACHE_NAME } from './loading/fileCache';
export type { FileCache } from './loading/fileCache';
export { fetchManifest, fetchModelFiles, hasModelInCache, deleteModelFromCache, requiredFiles, resolveModelUrl } from './loading/fetchModelFiles';
export type { FetchLike } from './loading/fetchModelFiles';
export { parseModel, modelIdOf } from './loading/parseModelFiles';
export { parseCatalog } from './loading/parseCatalog';

export { LocalStore, databaseName, DEFAULT_SETTINGS, STORES } from './store/localStore';
export type { StoredCheckpoint } from './store/localStore';
export { TabSync } from './store/tabSync';
export type { SyncMessage } from './store/tabSync';
export { makeBundle, validateBundle } from './store/exportBundle';

export { CatalogIndex, rankFromScores, popularFeed, feedPool } from './rank/rankFeed';
export { diversify, genreSimilarity, noveltyScore, explorationJitter, DISCOVER_WEIGHTS, DEFAULT_DISCOVER } from './rank/diversify';
export type { DiscoverWeights, ItemTraits } from './rank/diversify';
export { checkNewItemSlots, interleaveNewItems, isNewItemSlot, NEW_ITEM_SLOTS } from './rank/newItemSlots';
export type { NewItemSlots } from './rank/newItemSlots';
export { scoreCatalog } from './rank/scoreCatalog';
export { withAddedItems, resetIdRows } from './model/coldItems';
export type { ColdIdInit } from './model/coldItems';

export { SIGNALS, EVENT_TYPES, interpretEvents, isEventType } from './signals';
export type { SignalSpec, SignalView } from './signals';

export { finetune } from './train/finetune';
export type { FinetuneHistory, FinetuneInput, FinetuneResult } from './train/finetune';
export { DEFAULT_FINETUNE_POLICY, resolvePolicy, trainableNames } from './train/finetunePolicy';
export type { FinetunePolicy, TrainableSet } from './train/finetunePolicy';

export { LocalRecError, DeviceUnavailableError, ModelLoadError, ParseError, serializeError, deserializeError } from './errors';
export type { LocalRecErrorCode, SerializedError } from './errors';
export type {
  Backend,
  CatalogEntry,
  Device,
  EngineSettings,
  EngineSnapshot,
  EngineState,
  EngineStatus,
  EventType,
  Explanation,
  ExportBundle,
  ExportedCheckpoint,
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
  RpcResult,
  UpdateKind,
  WasmPaths,
} from './recommender/types';
