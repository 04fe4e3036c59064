/**
 * The engine worker the library ships as `localrec-worker.js` (and the app runs as its worker):
 * serves the Recommender over typed RPC to `createRecommender` on the page. Its WASM files are
 * found beside its own URL, which stays its real URL also when a blob shim started it from
 * another origin.
 */
import { createRecommender } from '../engine/recommender/createRecommender';
import { exposeRecommender } from '../engine/rpc/exposeRecommender';
import type { MessagePortLike } from '../engine/rpc/protocol';
import { folderOf } from './folderOf';

/**
 * Threaded WASM starts its pthread workers from its own source text, which breaks when this
 * bundle is minified (the worker then crashes): threads only where the source kept its names.
 * Threads also need cross-origin isolation, which the engine checks (`ReadyInfo.threads`, `notes`).
 */
function sourceKeepsNames(): boolean {
  const keepsThisName = 0;
  return String(() => keepsThisName).includes('keepsThisName');
}

const besideThisScript = folderOf(import.meta.url);

exposeRecommender(self as unknown as MessagePortLike, (options) =>
  createRecommender({
    ...options,
    wasmPaths: options.wasmPaths ?? besideThisScript,
    wasmThreads: (options.wasmThreads ?? true) && sourceKeepsNames(),
  }),
);
