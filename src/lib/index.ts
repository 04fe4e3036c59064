/**
 * `localrec`: the page-side API. The engine (TensorFlow.js, the model, fine-tuning) runs in a Web
 * Worker that `createRecommender` starts; nothing here loads TensorFlow.js. The history stays in
 * this origin's IndexedDB.
 *
 * @example
 * import { createRecommender } from 'localrec';
 *
 * const engine = createRecommender({ modelUrl: '/models/ml-1m-sasrec/' });
 * const feed = await engine.recommend({ count: 12, discover: 0.25 });
 * await engine.record({ itemId: feed[0].itemId, type: 'like', at: Date.now() });
 *
 * @packageDocumentation
 */
export { createRecommender } from './createRecommender';
export type { LocalRecOptions } from './createRecommender';
export { storageNames } from './storageNames';
export type { StorageNames } from './storageNames';
export { hasModelInCache, deleteModelFromCache } from '../engine/loading/fetchModelFiles';
export { DEFAULT_DISCOVER } from '../engine/rank/diversify';
export { applySnapshot } from '../engine/recommender/engineState';
export { LocalRecError, DeviceLostError, DeviceUnavailableError, ModelLoadError } from '../engine/errors';
export type { LocalRecErrorCode } from '../engine/errors';
export type { FinetunePolicy } from '../engine/train/finetunePolicy';
export type { PersonalModel } from '../engine/store/personalModel';
export type {
  Backend,
  CatalogEntry,
  Device,
  EngineSettings,
  EngineSnapshot,
  EngineState,
  EngineStatus,
  EngineTestHooks,
  EventType,
  Explanation,
  ExportBundle,
  HistoryChange,
  ImportResult,
  InteractionEvent,
  LearnOptions,
  LearnReport,
  ProgressEvent,
  ReadyInfo,
  Recommendation,
  Recommender,
  RecommendOptions,
  UpdateKind,
} from '../engine/recommender/types';
