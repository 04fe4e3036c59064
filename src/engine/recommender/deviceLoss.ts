import { DeviceLostError } from '../errors';
import { activeGpuDevice, loseGpuDevice, watchDeviceLoss, type GpuDeviceLike } from '../runtime/gpuDevice';
import type { Backend, Device, EngineTestHooks, ProgressEvent } from './types';

/** What the guard needs from the engine. */
export interface DeviceLossDeps {
  /** The device the person asked for: `auto` may change backend, an explicit one may not. */
  requested: Device;
  emit(e: ProgressEvent): void;
  /**
   * Frees the model whose tensors lived on the lost device and loads it again on `backend`
   * (weights from the model file cache, the fine-tuned checkpoint from IndexedDB).
   */
  reloadOn(backend: Backend): Promise<{ threads: boolean }>;
  /** Frees the model on the lost device; the engine answers model calls with the error from then on. */
  stop(): void;
  /** The engine status changed (backend): tell readers. */
  publishStatus(): Promise<void>;
  testing?: EngineTestHooks;
  /** The device to watch (default: the active tfjs WebGPU backend's). */
  gpuDevice?: () => GpuDeviceLike | null;
  /** How long a failed call waits for `GPUDevice.lost` before it counts as an ordinary error (default 1000 ms). */
  settleMs?: number;
}

/**
 * Watches the WebGPU device the engine runs on. When it is lost: with `auto`, the model is
 * reloaded on WASM and the engine goes on (a `device-lost` event says so, the status shows the
 * new backend); with an explicit `webgpu`, the engine stops and model calls throw
 * `DeviceLostError`, which offers WASM. History and checkpoints in IndexedDB are never touched.
 */
export class DeviceLossGuard {
  private readonly deps: DeviceLossDeps;
  private stopWatching: () => void = () => {};
  private error: DeviceLostError | null = null;
  private recovery: Promise<void> | null = null;
  private noticed!: () => void;
  /** Settles when a loss was noticed (never, while the device is fine). */
  private readonly lossNoticed = new Promise<void>((resolve) => { this.noticed = resolve; });
  private watching = false;
  private runs = 0;

  constructor(deps: DeviceLossDeps) {
    this.deps = deps;
  }

  /** Starts watching after the model loaded on `backend` (only WebGPU devices get lost). */
  watch(backend: Backend): void {
    this.stopWatching();
    const device = backend === 'webgpu' ? (this.deps.gpuDevice ?? activeGpuDevice)() : null;
    this.watching = device !== null;
    if (device) this.stopWatching = watchDeviceLoss((reason) => this.onLost(reason), device);
  }

  private onLost(reason: string): void {
    this.watching = false;
    const { requested } = this.deps;
    if (requested === 'auto') {
      this.recovery = this.recover(reason);
    } else {
      this.error = new DeviceLostError('webgpu', ['wasm', 'cpu'], reason);
      this.deps.stop();
      this.deps.emit({ status: 'device-lost', lost: 'webgpu', now: null, threads: false, message: this.error.message });
      void this.deps.publishStatus();
    }
    this.noticed();
  }

  private async recover(reason: string): Promise<void> {
    let threads = false;
    try {
      ({ threads } = await this.deps.reloadOn('wasm'));
    } catch (err) {
      this.error = new DeviceLostError('webgpu', ['cpu'], `${reason}; reloading on WASM failed too: ${err instanceof Error ? err.message : String(err)}`);
      this.deps.stop();
      this.deps.emit({ status: 'device-lost', lost: 'webgpu', now: null, threads: false, message: this.error.message });
      await this.deps.publishStatus();
      return;
    }
    this.deps.emit({
      status: 'device-lost',
      lost: 'webgpu',
      now: 'wasm',
      threads,
      message: `The WebGPU device was lost (${reason}). LocalRec reloaded the model on WASM and goes on there; your history and fine-tuned weights are kept.`,
    });
    await this.deps.publishStatus();
  }

  /** Before a call that needs the model: waits for a reload in progress; throws once stopped. */
  async ready(): Promise<void> {
    if (this.recovery) await this.recovery;
    if (this.error) throw this.error;
  }

  /**
   * After a call failed: if the GPU device was (or is now being) lost, waits for the reload and
   * resolves true (run the call again), or throws `DeviceLostError`; false for any other error.
   */
  async afterFailure(): Promise<boolean> {
    if (!this.watching && !this.recovery && !this.error) return false;
    if (this.watching) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.lossNoticed, new Promise<void>((resolve) => { timer = setTimeout(resolve, this.deps.settleMs ?? 1000); })]);
      clearTimeout(timer);
      if (this.watching) return false;
    }
    await this.ready();
    return true;
  }

  /** Start of a fine-tuning run (counts runs for the test hook). */
  runStarted(): void {
    this.runs++;
  }

  /** After each fine-tuning step: the test hook may lose the device here. */
  afterStep(step: number): void {
    const hook = this.deps.testing?.loseGpuDevice;
    if (hook && hook.run === this.runs && hook.step === step && loseGpuDevice()) {
      console.warn(`LocalRec test hook: GPU device destroyed after step ${step} of run ${this.runs}`);
    }
  }

  dispose(): void {
    this.stopWatching();
    this.watching = false;
  }
}
