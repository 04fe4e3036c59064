import { createWorkerRecommender, type WorkerLike } from '../engine/client';
import type { Recommender, RecommenderOptions } from '../engine/recommender/types';
import { defaultWorkerUrl, startWorker } from './startWorker';

/** Options of the page-side `createRecommender`: the engine options plus where its worker is. */
export interface LocalRecOptions extends RecommenderOptions {
  /**
   * URL of `localrec-worker.js` (the tfjs WASM files are looked up next to it). Default: beside
   * this module, so the built folder works from any static host or CDN. A worker on another
   * origin is started through a same-origin blob shim (its host must send CORS headers).
   */
  workerUrl?: string | URL;
  /**
   * Start the worker yourself instead (e.g. a bundler that builds it:
   * `() => new Worker(new URL('./my-worker.ts', import.meta.url), { type: 'module' })`).
   * Such a worker finds its WASM files beside its own URL unless `wasmPaths` says otherwise.
   */
  worker?: WorkerLike | (() => WorkerLike);
}

/**
 * Creates a recommender whose engine (TensorFlow.js, the model, fine-tuning) runs in its own Web
 * Worker. The page side holds no TensorFlow.js; the history lives in this origin's IndexedDB
 * (database `localrec:<namespace>`) and never leaves the browser.
 *
 * The first `recommend()` answers at once with a popular-and-varied list; once `ready` resolves
 * the feed is ranked by the model from the person's history.
 *
 * @example
 * import { createRecommender } from 'localrec';
 *
 * const engine = createRecommender({
 *   modelUrl: '/models/ml-1m-sasrec/',
 *   device: 'auto',
 *   onProgress: (e) => { if (e.status === 'ready') console.log('running on', e.backend); },
 * });
 * const feed = await engine.recommend({ count: 12 });
 * await engine.record({ itemId: feed[0].itemId, type: 'like', at: Date.now() });
 * const next = await engine.recommend({ count: 12 }); // re-ranked from the like
 * await engine.dispose();
 */
export function createRecommender(options: LocalRecOptions): Recommender {
  const { workerUrl, worker, ...engineOptions } = options;
  const start = worker ?? (() => startWorker(workerUrl ?? defaultWorkerUrl()));
  return createWorkerRecommender({ ...engineOptions, worker: start });
}
