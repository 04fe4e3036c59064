import { defaultFileCache } from '../loading/fileCache';
import { fetchManifest, fetchModelFiles, type FetchLike } from '../loading/fetchModelFiles';
import { parseCatalog } from '../loading/parseCatalog';
import { CatalogIndex, checkRecommendOptions, popularFeed } from '../rank/rankFeed';
import { interpretEvents } from '../signals';
import { LocalStore } from '../store/localStore';
import type { CatalogEntry, Recommendation, RecommendOptions } from './types';

/**
 * The popular-and-varied feed computed on the page (no TensorFlow.js), so the first paint does
 * not wait for the worker to start. Same inputs and function as the engine's cold start: the
 * verified catalog (through the shared model cache) and the stored history.
 */
export function pageColdStart(folder: string, namespace: string, fetch?: FetchLike): {
  /** The verified catalog with its lookups (the page ranks re-ranks with it). */
  catalogIndex(): Promise<CatalogIndex>;
  catalog(): Promise<CatalogEntry[]>;
  recommend(opts: RecommendOptions): Promise<Recommendation[]>;
} {
  let catalog: Promise<CatalogIndex> | null = null;
  const loadCatalog = () => {
    if (!catalog) {
      const p = (async () => {
        const cache = defaultFileCache();
        const manifest = await fetchManifest(folder, { cache, fetch });
        const files = await fetchModelFiles(folder, manifest, ['catalog.json'], { cache, fetch });
        return new CatalogIndex(parseCatalog(files.get('catalog.json') as ArrayBuffer));
      })();
      p.catch(() => { if (catalog === p) catalog = null; });
      catalog = p;
    }
    return catalog;
  };
  return {
    catalogIndex: loadCatalog,
    async catalog() {
      return [...(await loadCatalog()).items];
    },
    async recommend(opts) {
      const q = checkRecommendOptions(opts);
      const store = new LocalStore(namespace);
      let events;
      let settings;
      try {
        [events, settings] = await Promise.all([store.events(), store.getSettings()]);
      } finally {
        store.close();
      }
      const view = interpretEvents(events);
      return popularFeed(await loadCatalog(), { ...q, discover: q.discover ?? settings.discover, exclude: opts.includeSeen ? new Set() : view.seen });
    },
  };
}
