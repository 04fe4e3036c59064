/**
 * The one place the widget reaches LocalRec: the public page entry `localrec` (the widget is a
 * thin adapter over it; a lint rule keeps engine internals out of src/widget).
 */
import { createRecommender, type Device, type ProgressEvent, type Recommender } from 'localrec';

export { LocalRecError, storageNames } from 'localrec';
export type {
  Backend,
  CatalogEntry,
  Device,
  EngineSnapshot,
  EngineState,
  EngineStatus,
  EventType,
  Explanation,
  InteractionEvent,
  LocalRecErrorCode,
  ProgressEvent,
  ReadyInfo,
  Recommendation,
  Recommender,
} from 'localrec';

/** What the widget asks of the page API to start one shared engine. */
export interface EngineRequest {
  modelUrl: string;
  device: Device;
  namespace: string;
  onProgress: (event: ProgressEvent) => void;
}

/**
 * Starts an engine in its own worker. The page API finds `localrec-worker.js` beside its own
 * URL, which in the built widget is `localrec-widget.js`'s folder, and starts it through a
 * same-origin blob shim when that folder is on another origin (a CDN).
 */
export function createPageEngine(request: EngineRequest): Recommender {
  return createRecommender(request);
}
