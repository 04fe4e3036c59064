import type { CatalogItem } from '../engine/data/catalog';

/** Catalog entry as shipped in catalog.json (popularity = users who interacted in training). */
export type CatalogEntry = CatalogItem & { popularity?: number };

/**
 * A popular-but-varied list for the first paint, before the model is ready: walks items by
 * popularity and skips one whose main genre already appears among the last `spread` picks,
 * unless nothing else is left.
 */
export function popularFeed(catalog: readonly CatalogEntry[], count: number, exclude: ReadonlySet<number> = new Set(), spread = 3): CatalogEntry[] {
  const pool = catalog
    .filter((it) => !exclude.has(it.id))
    .sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0) || a.id - b.id);
  const picked: CatalogEntry[] = [];
  const used = new Set<number>();
  while (picked.length < count && used.size < pool.length) {
    const recent = new Set(picked.slice(-spread).map((it) => it.genres[0] ?? ''));
    let choice = pool.find((it) => !used.has(it.id) && !recent.has(it.genres[0] ?? ''));
    choice ??= pool.find((it) => !used.has(it.id));
    if (!choice) break;
    used.add(choice.id);
    picked.push(choice);
  }
  return picked;
}
