import type { Device, EngineTestHooks, FinetunePolicy } from 'localrec';

/**
 * The model the app opens: the shipped one, or the one a build names in VITE_LOCALREC_DEFAULT_MODEL
 * (`npm run demo` does); `?model=<name>` picks another folder under models/.
 */
export const DEFAULT_MODEL = import.meta.env.VITE_LOCALREC_DEFAULT_MODEL || 'ml-1m-sasrec';
const DEVICES: readonly Device[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export interface AppConfig {
  modelName: string;
  /** Same-origin folder URL, ending in "/". */
  modelUrl: string;
  device: Device;
  /** Exposes the engine on `window.localrec` for tests and benchmarks (`?hooks=1`). */
  testHooks: boolean;
  /** Fine-tuning policy overrides from `?policy=<json>`, honoured only with `?hooks=1` (tests, demos). */
  policy: Partial<FinetunePolicy> | undefined;
  /** Fault injection from `?testing=<json>`, honoured only with `?hooks=1` (e2e tests). */
  testing: EngineTestHooks | undefined;
  /** `?threads=0` with `?hooks=1`: single-threaded WASM (benchmarks compare both); else undefined (the default, threads when possible). */
  wasmThreads: false | undefined;
}

function readJsonObject<T>(param: string, raw: string | null, example: string): T | undefined {
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as T;
  } catch {
    // fall through to the message below
  }
  console.error(`LocalRec: ignoring ?${param}=${raw}: it must be a JSON object such as ${example}.`);
  return undefined;
}

/**
 * Reads `?model=` and `?device=` from a query string. Only folder names are accepted for the model,
 * so the app can never be pointed at another origin.
 */
export function readAppConfig(search: string, baseUrl: string): AppConfig {
  const params = new URLSearchParams(search);
  const requestedModel = params.get('model') ?? DEFAULT_MODEL;
  const modelName = /^[a-z0-9][a-z0-9._-]*$/i.test(requestedModel) ? requestedModel : DEFAULT_MODEL;
  const requestedDevice = params.get('device') ?? 'auto';
  const device = (DEVICES as readonly string[]).includes(requestedDevice) ? (requestedDevice as Device) : 'auto';
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const testHooks = params.get('hooks') === '1';
  const wasmThreads = testHooks && params.get('threads') === '0' ? false : undefined;
  return {
    modelName,
    modelUrl: `${base}models/${modelName}/`,
    device,
    testHooks,
    policy: testHooks ? readJsonObject<Partial<FinetunePolicy>>('policy', params.get('policy'), '{"steps":4}') : undefined,
    testing: testHooks ? readJsonObject<EngineTestHooks>('testing', params.get('testing'), '{"loseGpuDevice":{"run":1,"step":2}}') : undefined,
    wasmThreads,
  };
}
