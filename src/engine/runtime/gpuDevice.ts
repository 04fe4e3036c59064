import * as tf from '@tensorflow/tfjs';

/** The part of a `GPUDevice` this module uses. */
export interface GpuDeviceLike {
  readonly lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

/** The GPUDevice of the active tfjs WebGPU backend, or null on any other backend. */
export function activeGpuDevice(): GpuDeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const device = (tf.backend() as unknown as { device?: GpuDeviceLike }).device;
  return device && typeof device.destroy === 'function' ? device : null;
}

/**
 * Calls `onLost` once if the active backend's GPU device is lost (tfjs 4.22 neither notices nor
 * recovers a lost device: every later kernel fails or reads nothing). Returns a function that
 * stops watching; a no-op off WebGPU.
 */
export function watchDeviceLoss(onLost: (reason: string) => void, device: GpuDeviceLike | null = activeGpuDevice()): () => void {
  if (!device) return () => {};
  let watching = true;
  void device.lost.then(
    (info) => {
      if (!watching) return;
      watching = false;
      const why = [info.reason, info.message].filter(Boolean).join(': ');
      onLost(why || 'no reason given');
    },
    (err: unknown) => console.warn('LocalRec: GPUDevice.lost rejected', err),
  );
  return () => { watching = false; };
}

/**
 * Test hook: loses the active GPU device now, as a driver reset would (`GPUDevice.destroy()`).
 * Returns false when the engine is not on WebGPU.
 */
export function loseGpuDevice(): boolean {
  const device = activeGpuDevice();
  if (!device) return false;
  device.destroy();
  return true;
}
