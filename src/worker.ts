// The engine worker: serves the Recommender over typed RPC (see src/engine/client.ts).
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createRecommender } from './engine/recommender/createRecommender';
import { exposeRecommender } from './engine/rpc/exposeRecommender';
import type { MessagePortLike } from './engine/rpc/protocol';

const wasmPaths = { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded };

/**
 * Threaded WASM starts its pthread workers from its own source text, which breaks when this
 * bundle is minified (the worker then crashes): threads only where the source kept its names.
 */
function sourceKeepsNames(): boolean {
  const keepsThisName = 0;
  return String(() => keepsThisName).includes('keepsThisName');
}

exposeRecommender(self as unknown as MessagePortLike, (options) =>
  createRecommender({ ...options, wasmPaths: options.wasmPaths ?? wasmPaths, wasmThreads: (options.wasmThreads ?? true) && sourceKeepsNames() }),
);
