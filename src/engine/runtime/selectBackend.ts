import * as tf from '@tensorflow/tfjs';
import { DeviceUnavailableError } from '../errors';
import type { Backend, Device, WasmPaths } from '../recommender/types';
import { SOFTWARE_ADAPTER } from './softwareAdapter';

/** What this environment offers, measured rather than assumed. */
export interface DeviceProbe {
  webgpu: { available: boolean; software: boolean; adapter: string | null; reason: string };
  wasm: { available: boolean; reason: string };
}

export interface BackendInfo {
  backend: Backend;
  /** GPU adapter description (WebGPU), else null. */
  adapter: string | null;
  /** WASM runs multi-threaded (cross-origin isolated page); false elsewhere. */
  threads: boolean;
  /** Why `auto` chose what it chose, and other things worth showing. */
  notes: string[];
}

interface GpuAdapterInfoLike { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
interface GpuAdapterLike { isFallbackAdapter?: boolean; info?: GpuAdapterInfoLike; requestAdapterInfo?: () => Promise<GpuAdapterInfoLike> }
interface GpuLike { requestAdapter(opts?: { powerPreference?: string }): Promise<GpuAdapterLike | null> }


/** Looks at the WebGPU adapter and WebAssembly support without initialising any backend. */
export async function probeDevices(): Promise<DeviceProbe> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: GpuLike }) | undefined)?.gpu;
  let webgpu: DeviceProbe['webgpu'] = { available: false, software: false, adapter: null, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  if (gpu) {
    try {
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) {
        webgpu = { available: false, software: false, adapter: null, reason: 'WebGPU found no adapter' };
      } else {
        const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
        const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ').trim();
        const software = Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter || SOFTWARE_ADAPTER.test(text));
        const adapterText = (text || 'unknown adapter') + (software ? ' (software)' : '');
        webgpu = { available: true, software, adapter: adapterText, reason: software ? `the WebGPU adapter is a software renderer (${adapterText})` : 'real GPU' };
      }
    } catch (err) {
      webgpu = { available: false, software: false, adapter: null, reason: `requesting a WebGPU adapter failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  const wasmOk = typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
  return { webgpu, wasm: { available: wasmOk, reason: wasmOk ? 'WebAssembly available' : 'this environment has no WebAssembly' } };
}

/** Backends an explicit request may use here. */
export function availableBackends(p: DeviceProbe): Backend[] {
  const out: Backend[] = [];
  if (p.webgpu.available) out.push('webgpu');
  if (p.wasm.available) out.push('wasm');
  out.push('cpu');
  return out;
}

/**
 * The order `auto` tries: WebGPU only on a real GPU (a software adapter such as SwiftShader
 * trains ~20x slower than WASM here; `acceptSoftwareGpu` is a test hook), then WASM, then CPU.
 */
export function autoOrder(p: DeviceProbe, acceptSoftwareGpu = false): { order: Backend[]; notes: string[] } {
  const notes: string[] = [];
  const order: Backend[] = [];
  if (p.webgpu.available && (!p.webgpu.software || acceptSoftwareGpu)) order.push('webgpu');
  else notes.push(`auto skipped WebGPU: ${p.webgpu.reason}`);
  if (p.wasm.available) order.push('wasm');
  order.push('cpu');
  return { order, notes };
}

async function activate(backend: Backend, wasmPaths: WasmPaths | undefined, wasmThreads: boolean): Promise<boolean> {
  if (tf.engine().backendName === backend) return true;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (wasmPaths) wasm.setWasmPaths(wasmPaths as Parameters<typeof wasm.setWasmPaths>[0]);
    // Threads only where SharedArrayBuffer is allowed (COOP/COEP): never ask the host page to change headers.
    if (!wasmThreads || !crossOriginIsolated()) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } else if (backend === 'webgpu') {
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  try {
    return await tf.setBackend(backend);
  } catch {
    return false;
  }
}

function crossOriginIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

async function wasmThreads(): Promise<boolean> {
  return crossOriginIsolated() && Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
}

/**
 * Initialises the tfjs backend for a device choice. An explicit device that is missing or fails
 * to start throws DeviceUnavailableError listing what is available; there is no silent fallback.
 */
export async function selectBackend(device: Device, opts: { wasmPaths?: WasmPaths; wasmThreads?: boolean; probe?: DeviceProbe; acceptSoftwareGpu?: boolean } = {}): Promise<BackendInfo> {
  const probe = opts.probe ?? (await probeDevices());
  const available = availableBackends(probe);
  const finish = async (backend: Backend, notes: string[]): Promise<BackendInfo> => {
    const threads = backend === 'wasm' && opts.wasmThreads !== false ? await wasmThreads() : false;
    if (backend === 'wasm' && !threads) {
      notes.push(opts.wasmThreads === false
        ? 'WASM runs single-threaded: threads are switched off (wasmThreads: false, or a minified worker bundle)'
        : 'WASM runs single-threaded: the page is not cross-origin isolated (COOP/COEP headers), or threads are unsupported');
    }
    return { backend, adapter: backend === 'webgpu' ? probe.webgpu.adapter : null, threads, notes };
  };
  if (device !== 'auto') {
    if (!available.includes(device)) {
      throw new DeviceUnavailableError(device, available, device === 'webgpu' ? probe.webgpu.reason : probe.wasm.reason);
    }
    if (!(await activate(device, opts.wasmPaths, opts.wasmThreads ?? true))) {
      throw new DeviceUnavailableError(device, available.filter((b) => b !== device), `the ${device} backend failed to start`);
    }
    return finish(device, device === 'webgpu' && probe.webgpu.software ? [`WebGPU runs on a software adapter (${probe.webgpu.adapter}); expect it to be slow`] : []);
  }
  const { order, notes } = autoOrder(probe, opts.acceptSoftwareGpu);
  if (opts.acceptSoftwareGpu && probe.webgpu.software) notes.push(`test hook: auto accepts the software WebGPU adapter (${probe.webgpu.adapter})`);
  for (const backend of order) {
    if (await activate(backend, opts.wasmPaths, opts.wasmThreads ?? true)) return finish(backend, notes);
    notes.push(`auto: the ${backend} backend failed to start`);
  }
  throw new DeviceUnavailableError('auto', [], notes.join('; '));
}
