import type { Page } from 'playwright-core';
import { SOFTWARE_ADAPTER } from '../../src/engine/runtime/softwareAdapter';

/** The WebGPU adapter the browser offers, as the benchmark records it (issue 23 part 7). */
export interface GpuAdapterRecord {
  available: boolean;
  /** Why there is none (no navigator.gpu, or no adapter), when unavailable. */
  reason: string | null;
  vendor: string | null;
  architecture: string | null;
  device: string | null;
  description: string | null;
  /** `GPUAdapterInfo.isFallbackAdapter` (or the older `GPUAdapter.isFallbackAdapter`). */
  isFallbackAdapter: boolean | null;
  /** A software renderer by its description (SwiftShader, llvmpipe, ...): what `auto` treats as no GPU. */
  softwareRenderer: boolean;
  /** Limits that bound the model size on this adapter. */
  maxBufferSize: number | null;
  maxStorageBufferBindingSize: number | null;
}

/** Asks the page's `navigator.gpu` for the adapter `auto` would use (high-performance). */
export async function gpuAdapterRecord(page: Page): Promise<GpuAdapterRecord> {
  const raw = await page.evaluate(async () => {
    type Info = { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
    type Adapter = { info?: Info; isFallbackAdapter?: boolean; limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number } };
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(o?: { powerPreference?: string }): Promise<Adapter | null> } }).gpu;
    if (!gpu) return { reason: 'this browser has no navigator.gpu' };
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { reason: 'navigator.gpu.requestAdapter() returned null' };
    const info = adapter.info ?? {};
    return {
      reason: null,
      vendor: info.vendor ?? null,
      architecture: info.architecture ?? null,
      device: info.device ?? null,
      description: info.description ?? null,
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? null,
      maxBufferSize: adapter.limits?.maxBufferSize ?? null,
      maxStorageBufferBindingSize: adapter.limits?.maxStorageBufferBindingSize ?? null,
    };
  });
  const text = (s: unknown): string | null => (typeof s === 'string' ? s : null);
  const num = (n: unknown): number | null => (typeof n === 'number' ? n : null);
  const r = raw as Record<string, unknown>;
  const described = [r.vendor, r.architecture, r.device, r.description].filter((x) => typeof x === 'string' && x).join(' ');
  return {
    available: r.reason === null,
    reason: text(r.reason),
    vendor: text(r.vendor),
    architecture: text(r.architecture),
    device: text(r.device),
    description: text(r.description),
    isFallbackAdapter: typeof r.isFallbackAdapter === 'boolean' ? r.isFallbackAdapter : null,
    softwareRenderer: SOFTWARE_ADAPTER.test(described),
    maxBufferSize: num(r.maxBufferSize),
    maxStorageBufferBindingSize: num(r.maxStorageBufferBindingSize),
  };
}

/** One Markdown line: which adapter, and whether it is a real GPU. */
export function describeAdapter(a: GpuAdapterRecord): string {
  if (!a.available) return `WebGPU adapter: none (${a.reason}).`;
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || 'unnamed';
  const kind = a.isFallbackAdapter || a.softwareRenderer ? 'a software/fallback adapter, not a GPU' : 'a hardware adapter';
  return `WebGPU adapter: ${name}; isFallbackAdapter ${a.isFallbackAdapter ?? 'not reported'}, software renderer ${a.softwareRenderer ? 'yes' : 'no'} (${kind}).`;
}
