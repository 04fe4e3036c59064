import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** Backends that exist in Node (WebGPU needs a browser). */
export type NodeBackend = 'cpu' | 'wasm';

/**
 * Makes `name` the active tfjs backend and waits until it is ready. In Node the WASM backend
 * finds its `.wasm` binaries next to its own module, so no `setWasmPaths` is needed.
 */
export async function useBackend(name: NodeBackend): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
}

/** Runs `fn` on backend `name`, then restores the backend that was active before. */
export async function withBackend<T>(name: NodeBackend, fn: () => Promise<T> | T): Promise<T> {
  const previous = tf.getBackend();
  await useBackend(name);
  try {
    return await fn();
  } finally {
    if (previous && previous !== name) await tf.setBackend(previous);
  }
}
