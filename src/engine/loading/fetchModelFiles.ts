import { LocalRecError, ModelLoadError } from '../errors';
import type { ProgressEvent } from '../recommender/types';
import { defaultFileCache, type FileCache } from './fileCache';
import { MANIFEST_FILE, validateManifest, type ManifestFile, type ModelManifest } from './manifest';

/** The subset of `fetch` the loader uses (tests and Node pass their own). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Options of `fetchManifest` / `fetchModelFiles`. */
export interface FetchFilesOptions {
  fetch?: FetchLike;
  cache?: FileCache | null;
  onProgress?: (e: ProgressEvent) => void;
  /** Called as each file is verified (the catalog arrives before the weights). */
  onFile?: (path: string, bytes: ArrayBuffer) => void;
  signal?: AbortSignal;
}

/** Absolute folder URL with a trailing slash (relative URLs resolve against the page). */
export function resolveModelUrl(modelUrl: string): string {
  const base = (globalThis as { location?: { href: string } }).location?.href ?? 'http://localhost/';
  const u = new URL(modelUrl, base);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u.href;
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Cache key of one file version: the file URL plus its sha256, so two versions of a model never
 * share a key and the cached manifest always finds the files it lists.
 */
export function cacheKey(folder: string, entry: ManifestFile): string {
  return `${folder}${entry.path}?sha256=${entry.sha256}`;
}

function failed(file: string, why: string, cause?: unknown): ModelLoadError {
  return new ModelLoadError('MODEL_LOAD_FAILED', `Could not load model file "${file}": ${why}. Check the connection and retry; if it persists the model folder is incomplete.`, { cause });
}

/**
 * Fetches and validates manifest.json (network first, the cached copy when offline). The fetched
 * manifest is not cached here: {@link commitModelToCache} stores it once every file it lists is in,
 * so an interrupted update never leaves a new manifest beside old files.
 */
export async function fetchManifest(folder: string, opts: FetchFilesOptions = {}): Promise<ModelManifest> {
  const url = folder + MANIFEST_FILE;
  const doFetch = opts.fetch ?? ((u: string, i?: RequestInit) => fetch(u, i));
  let text: string;
  try {
    const res = await doFetch(url, { cache: 'no-cache', signal: opts.signal });
    if (!res.ok) throw failed(MANIFEST_FILE, `HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    if (opts.signal?.aborted) throw new LocalRecError('ABORTED', 'Model loading was cancelled.');
    const cached = await opts.cache?.match(url);
    if (!cached) throw err instanceof LocalRecError ? err : failed(MANIFEST_FILE, err instanceof Error ? err.message : String(err), err);
    text = new TextDecoder().decode(cached);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ModelLoadError('MODEL_FORMAT', `${MANIFEST_FILE} is not valid JSON. Re-export the model folder.`);
  }
  return validateManifest(raw, url);
}

/** Reads a response body chunk by chunk, reporting bytes as they arrive. */
async function readBody(res: Response, onChunk: (n: number) => void): Promise<ArrayBuffer> {
  if (!res.body) {
    const b = await res.arrayBuffer();
    onChunk(b.byteLength);
    return b;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    onChunk(value.byteLength);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.byteLength; }
  return out.buffer;
}

/**
 * Downloads the listed files of a model folder (from the cache when a verified copy is there),
 * with byte progress across all of them, and checks each against its sha256 in the manifest.
 * A corrupted or missing file throws ModelLoadError naming it; a bad cached copy is evicted first
 * so a retry downloads it again.
 */
export async function fetchModelFiles(folder: string, manifest: ModelManifest, paths: string[], opts: FetchFilesOptions = {}): Promise<Map<string, ArrayBuffer>> {
  const doFetch = opts.fetch ?? ((u: string, i?: RequestInit) => fetch(u, i));
  const entries = paths.map((p) => {
    const e = manifest.files.find((f) => f.path === p);
    if (!e) throw new ModelLoadError('MODEL_INTEGRITY', `Model file "${p}" is not listed in ${MANIFEST_FILE}. Re-export the model folder.`);
    return e;
  });
  const overallTotal = entries.reduce((s, e) => s + e.bytes, 0);
  let overallLoaded = 0;
  const out = new Map<string, ArrayBuffer>();
  const emit = opts.onProgress ?? (() => {});
  for (const entry of entries) {
    const bytes = await fetchOne(folder, entry, doFetch, opts, (loaded, fromCacheBytes) => {
      overallLoaded += fromCacheBytes;
      emit({ status: 'progress', file: entry.path, loaded, total: entry.bytes, overallLoaded, overallTotal });
    });
    out.set(entry.path, bytes);
    opts.onFile?.(entry.path, bytes);
  }
  return out;
}

async function fetchOne(
  folder: string,
  entry: ManifestFile,
  doFetch: FetchLike,
  opts: FetchFilesOptions,
  progress: (loaded: number, delta: number) => void,
): Promise<ArrayBuffer> {
  const url = folder + entry.path;
  const key = cacheKey(folder, entry);
  const emit = opts.onProgress ?? (() => {});
  emit({ status: 'initiate', file: entry.path });
  const cached = await opts.cache?.match(key);
  if (cached) {
    if (cached.byteLength === entry.bytes && (await sha256Hex(cached)) === entry.sha256) {
      progress(entry.bytes, entry.bytes);
      emit({ status: 'done', file: entry.path, fromCache: true });
      return cached;
    }
    // Damaged copy: drop it and download again.
    await opts.cache?.delete(key);
  }
  emit({ status: 'download', file: entry.path });
  let res: Response;
  try {
    res = await doFetch(url, { signal: opts.signal });
  } catch (err) {
    if (opts.signal?.aborted) throw new LocalRecError('ABORTED', 'Model loading was cancelled.');
    throw failed(entry.path, err instanceof Error ? err.message : String(err), err);
  }
  if (!res.ok) throw failed(entry.path, res.status === 404 ? 'the file is missing on the server (HTTP 404)' : `HTTP ${res.status}`);
  let loaded = 0;
  const bytes = await readBody(res, (n) => { loaded += n; progress(loaded, n); });
  const hash = await sha256Hex(bytes);
  if (bytes.byteLength !== entry.bytes || hash !== entry.sha256) {
    throw new ModelLoadError(
      'MODEL_INTEGRITY',
      `Model file "${entry.path}" is corrupted: got ${bytes.byteLength} bytes with sha256 ${hash.slice(0, 12)}…, ` +
        `expected ${entry.bytes} bytes with sha256 ${entry.sha256.slice(0, 12)}…. Retry; if it persists, the server has a damaged copy.`,
    );
  }
  await opts.cache?.put(key, bytes);
  emit({ status: 'done', file: entry.path, fromCache: false });
  return bytes;
}

/** True when every file the engine needs is cached (checked against the cached manifest). */
export async function hasModelInCache(modelUrl: string, cache: FileCache = defaultFileCache()): Promise<boolean> {
  const folder = resolveModelUrl(modelUrl);
  const raw = await cache.match(folder + MANIFEST_FILE);
  if (!raw) return false;
  let manifest: ModelManifest;
  try {
    manifest = validateManifest(JSON.parse(new TextDecoder().decode(raw)), MANIFEST_FILE);
  } catch {
    return false;
  }
  for (const path of requiredFiles(manifest)) {
    const entry = manifest.files.find((f) => f.path === path);
    if (!entry || !(await cache.match(cacheKey(folder, entry)))) return false;
  }
  return true;
}

/**
 * Makes `manifest` the cached version of the model once its files are verified and cached: stores
 * the manifest, then drops every other cached file of the folder (earlier versions, files the new
 * manifest no longer lists), so the cache holds exactly one version of each model.
 */
export async function commitModelToCache(folder: string, manifest: ModelManifest, cache: FileCache): Promise<void> {
  await cache.put(folder + MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest)).buffer as ArrayBuffer);
  const keep = new Set([folder + MANIFEST_FILE, ...manifest.files.map((f) => cacheKey(folder, f))]);
  for (const key of await cache.keys()) {
    if (key.startsWith(folder) && !key.slice(folder.length).includes('/') && !keep.has(key)) await cache.delete(key);
  }
}

/** Removes a model's files (every cached version) and its manifest from the cache. */
export async function deleteModelFromCache(modelUrl: string, cache: FileCache = defaultFileCache()): Promise<void> {
  const folder = resolveModelUrl(modelUrl);
  for (const key of await cache.keys()) {
    if (key.startsWith(folder) && !key.slice(folder.length).includes('/')) await cache.delete(key);
  }
}

/** Files the engine downloads: the catalog first (cold-start feed), then the model and its weight shards. */
export function requiredFiles(manifest: ModelManifest): string[] {
  const has = (p: string) => manifest.files.some((f) => f.path === p);
  const bins = manifest.files.filter((f) => f.path.endsWith('.bin')).map((f) => f.path);
  return [...['catalog.json', 'model.json', 'replay.json'].filter(has), ...bins];
}
