import { LocalRecError } from '../engine/errors';

/** The worker file the library build writes next to `localrec.js`. */
export const WORKER_FILE = 'localrec-worker.js';

/**
 * Where the engine worker is, by default: next to this module. The file name is a variable on
 * purpose: bundlers rewrite `new URL('<literal>', import.meta.url)` into a hashed copy of the
 * worker alone, which would lose the WASM files the worker finds beside itself.
 */
export function defaultWorkerUrl(moduleUrl: string = import.meta.url): URL {
  return new URL(WORKER_FILE, moduleUrl);
}

/**
 * Source of the same-origin module that starts a cross-origin worker: browsers refuse
 * `new Worker(<other origin>)`, but a blob worker may `import` a cross-origin module (fetched with
 * CORS), whose own `import.meta.url` stays its real URL, so it still finds its WASM files.
 */
export function workerShimSource(workerUrl: string): string {
  return `import ${JSON.stringify(workerUrl)};\n`;
}

/** True when a worker at `workerUrl` cannot be started directly from a page at `pageUrl`. */
export function needsWorkerShim(workerUrl: string, pageUrl: string): boolean {
  return new URL(workerUrl, pageUrl).origin !== new URL(pageUrl).origin;
}

/**
 * Starts the engine worker as an ES module worker. A worker on another origin (a CDN) is started
 * through a blob shim; the blob URL is revoked once the worker has loaded it.
 */
export function startWorker(workerUrl: string | URL): Worker {
  if (typeof Worker === 'undefined') {
    throw new LocalRecError('NOT_READY', 'Web Workers are not available here. LocalRec runs in a browser page; in Node use the "localrec/node" entry.');
  }
  const pageUrl = globalThis.location?.href ?? 'http://localhost/';
  const absolute = new URL(workerUrl, pageUrl).href;
  if (!needsWorkerShim(absolute, pageUrl)) return new Worker(absolute, { type: 'module', name: 'localrec' });
  const shim = URL.createObjectURL(new Blob([workerShimSource(absolute)], { type: 'text/javascript' }));
  const worker = new Worker(shim, { type: 'module', name: 'localrec' });
  // The worker fetches its script asynchronously: keep the blob until it had time to load.
  setTimeout(() => URL.revokeObjectURL(shim), 60_000);
  return worker;
}
