/**
 * Where downloaded model files are kept between visits. Cache API in browsers and workers;
 * in memory for tests and Node. Keys are absolute file URLs.
 */
export interface FileCache {
  match(url: string): Promise<ArrayBuffer | undefined>;
  put(url: string, bytes: ArrayBuffer): Promise<void>;
  delete(url: string): Promise<boolean>;
  /** Every key held (lets a model update drop the files of the version it replaces). */
  keys(): Promise<string[]>;
  /** Removes every entry (used by "delete everything"). */
  clear(): Promise<void>;
}

/** Name of the Cache API cache holding model files. */
export const MODEL_CACHE_NAME = 'localrec-models-v1';

/** Cache API store (available in pages and workers on secure origins). */
export function cacheApiFileCache(cacheName = MODEL_CACHE_NAME): FileCache {
  const open = () => caches.open(cacheName);
  return {
    async match(url) {
      const res = await (await open()).match(url);
      return res ? res.arrayBuffer() : undefined;
    },
    async put(url, bytes) {
      await (await open()).put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
    },
    async delete(url) {
      return (await open()).delete(url);
    },
    async keys() {
      return (await (await open()).keys()).map((r) => r.url);
    },
    async clear() {
      await caches.delete(cacheName);
    },
  };
}

/** In-memory store: tests, Node, and browsers without the Cache API. */
export function memoryFileCache(): FileCache & { readonly entries: Map<string, ArrayBuffer> } {
  const entries = new Map<string, ArrayBuffer>();
  return {
    entries,
    async match(url) {
      const b = entries.get(url);
      return b ? b.slice(0) : undefined;
    },
    async put(url, bytes) {
      entries.set(url, bytes.slice(0));
    },
    async delete(url) {
      return entries.delete(url);
    },
    async keys() {
      return [...entries.keys()];
    },
    async clear() {
      entries.clear();
    },
  };
}

/** The Cache API where it exists, else memory. */
export function defaultFileCache(): FileCache {
  return typeof caches !== 'undefined' ? cacheApiFileCache() : memoryFileCache();
}
