/**
 * The one place the widget reaches the LocalRec page API. Everything else in src/widget imports
 * from here, so the widget stays a thin adapter over the public entry.
 */
import { createWorkerRecommender } from '../engine/client';
import type { Device, ProgressEvent, Recommender } from '../engine/recommender/types';

export { LocalRecError } from '../engine/errors';
export type { LocalRecErrorCode } from '../engine/errors';
export type {
  Backend,
  CatalogEntry,
  Device,
  EngineStatus,
  EventType,
  Explanation,
  InteractionEvent,
  ProgressEvent,
  ReadyInfo,
  Recommendation,
  Recommender,
} from '../engine/recommender/types';

/** What the widget asks of the page API to start one shared engine. */
export interface EngineRequest {
  modelUrl: string;
  device: Device;
  namespace: string;
  onProgress: (event: ProgressEvent) => void;
}

/** Starts an engine in its own worker, found beside the widget's own script. */
export function createPageEngine(request: EngineRequest): Recommender {
  return createWorkerRecommender({ ...request, worker: startWorker });
}

function startWorker(): Worker {
  const url = new URL('localrec-worker.js', import.meta.url);
  if (url.origin === location.origin) return new Worker(url, { type: 'module', name: 'localrec' });
  // Browsers refuse a cross-origin worker URL: a same-origin blob module imports it with CORS.
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  const worker = new Worker(shim, { type: 'module', name: 'localrec' });
  setTimeout(() => URL.revokeObjectURL(shim), 60_000);
  return worker;
}
