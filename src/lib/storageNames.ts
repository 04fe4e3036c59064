import { MODEL_CACHE_NAME } from '../engine/loading/fileCache';
import { databaseName } from '../engine/store/localStore';

/** Where LocalRec keeps data in this origin's browser storage (to show the person, or to inspect). */
export interface StorageNames {
  /** IndexedDB database with the history, fine-tuned weights and settings. */
  database: string;
  /** Cache API cache with the downloaded model files (shared by all namespaces). */
  modelCache: string;
}

/**
 * The storage names a recommender with this namespace uses (default namespace: `default`).
 *
 * @example
 * storageNames('shop'); // { database: 'localrec:shop', modelCache: 'localrec-models-v1' }
 */
export function storageNames(namespace = 'default'): StorageNames {
  return { database: databaseName(namespace), modelCache: MODEL_CACHE_NAME };
}
