import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type BenchBackend = 'cpu' | 'wasm' | 'webgpu';

export interface BackendAvailability {
  backend: BenchBackend;
  available: boolean;
  /** Why it cannot run here, when unavailable. */
  reason?: string;
}

/** Tries to activate a backend; reports why not instead of throwing. */
export async function activate(backend: BenchBackend): Promise<BackendAvailability> {
  try {
    if (backend === 'webgpu') {
      const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
      if (!nav?.gpu) {
        return {
          backend,
          available: false,
          reason: `Node ${process.version} has no navigator.gpu, so @tensorflow/tfjs-backend-webgpu does not register; WebGPU is measured in the browser (e2e)`,
        };
      }
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    const ok = await tf.setBackend(backend);
    if (!ok) return { backend, available: false, reason: `tf.setBackend('${backend}') returned false` };
    await tf.ready();
    return { backend, available: true };
  } catch (e) {
    return { backend, available: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
