import type { CatalogEntry, EventType, Recommendation } from './api';

/** An interaction kept in memory only (consent not given yet). */
export interface MemoryEvent {
  itemId: number;
  type: EventType;
  at: number;
}

/** How much an interaction tells about taste, in the in-memory ranking (dislikes only exclude). */
const AFFINITY_WEIGHT: Record<EventType, number> = { like: 1, view: 0.6, search: 0.5, open: 0.3, dislike: 0 };

/**
 * The feed shown before consent: no model, nothing stored. Popular items, re-ranked in memory
 * toward the genres of what the person liked or opened on this page; `discover` trades
 * popularity for less-seen items. Interacted items are left out.
 */
export function rankInMemory(catalog: readonly CatalogEntry[], events: readonly MemoryEvent[], count: number, discover: number): Recommendation[] {
  const exclude = new Set(events.filter((e) => e.type === 'like' || e.type === 'dislike').map((e) => e.itemId));
  const byId = new Map(catalog.map((c) => [c.id, c]));
  const genreWeight = new Map<string, number>();
  let total = 0;
  for (const e of events) {
    const item = byId.get(e.itemId);
    const w = AFFINITY_WEIGHT[e.type];
    if (!item || w === 0) continue;
    for (const g of item.genres) genreWeight.set(g, (genreWeight.get(g) ?? 0) + w / Math.max(1, item.genres.length));
    total += w;
  }
  const maxPop = Math.log1p(Math.max(1, ...catalog.map((c) => c.popularity)));
  const scored = catalog
    .filter((c) => !exclude.has(c.id))
    .map((c) => {
      const pop = Math.log1p(c.popularity) / maxPop; // 0..1
      const affinity = total > 0 ? c.genres.reduce((s, g) => s + (genreWeight.get(g) ?? 0), 0) / total : 0;
      return { itemId: c.id, score: (1 - discover) * pop + discover * (1 - pop) * 0.5 + affinity };
    })
    .sort((a, b) => b.score - a.score || a.itemId - b.itemId);
  return scored.slice(0, count).map((s) => ({ itemId: s.itemId, score: s.score, source: 'popular' as const }));
}

/** Reads catalog.json of a model folder (plain fetch: nothing goes to the Cache API before consent). */
export async function fetchCatalog(modelUrl: string, fetchFn: typeof fetch = fetch): Promise<CatalogEntry[]> {
  const res = await fetchFn(new URL('catalog.json', modelUrl).href);
  if (!res.ok) throw new Error(`${new URL('catalog.json', modelUrl).href} answered HTTP ${res.status}: is model="${modelUrl}" a LocalRec model folder?`);
  const raw = (await res.json()) as { items?: unknown };
  if (!raw || !Array.isArray(raw.items)) throw new Error(`${modelUrl}catalog.json has no "items" array: is this a LocalRec model folder?`);
  return raw.items.flatMap((x: unknown): CatalogEntry[] => {
    const it = x as Partial<CatalogEntry> | null;
    if (!it || !Number.isInteger(it.id) || typeof it.title !== 'string') return [];
    return [{
      id: it.id as number,
      externalId: typeof it.externalId === 'string' ? it.externalId : String(it.id),
      title: it.title,
      year: typeof it.year === 'number' ? it.year : null,
      genres: Array.isArray(it.genres) ? it.genres.filter((g): g is string => typeof g === 'string') : [],
      popularity: typeof it.popularity === 'number' && it.popularity >= 0 ? it.popularity : 0,
    }];
  });
}
