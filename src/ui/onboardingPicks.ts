import type { CatalogEntry } from 'localrec';
import { compareText } from './compareText';

/** Genre key of items that list no genre (they still get their own, capped, share of the grid). */
const NO_GENRE = '';

function byPopularity(a: CatalogEntry, b: CatalogEntry): number {
  return b.popularity - a.popularity || a.id - b.id;
}

export interface GridOptions {
  /** Tiles at most (default 24). */
  size?: number;
  /** Tiles at most per primary genre, the first genre an item lists (default 2). */
  perGenre?: number;
}

/**
 * The onboarding grid: well-known but varied titles. Walks the catalog from the most popular
 * down and takes an item while its primary genre has fewer than `perGenre` tiles, until `size`
 * tiles. A catalog with few genres gives a smaller grid rather than a one-genre one.
 */
export function onboardingGrid(catalog: readonly CatalogEntry[], { size = 24, perGenre = 2 }: GridOptions = {}): CatalogEntry[] {
  const perPrimary = new Map<string, number>();
  const out: CatalogEntry[] = [];
  for (const item of [...catalog].sort(byPopularity)) {
    if (out.length >= size) break;
    const primary = item.genres[0] ?? NO_GENRE;
    const n = perPrimary.get(primary) ?? 0;
    if (n >= perGenre) continue;
    perPrimary.set(primary, n + 1);
    out.push(item);
  }
  return out;
}

/** Genres of the catalog, those with the most interactions overall (summed popularity) first. */
export function genreOptions(catalog: readonly CatalogEntry[]): string[] {
  const weight = new Map<string, number>();
  for (const item of catalog) for (const g of item.genres) weight.set(g, (weight.get(g) ?? 0) + item.popularity);
  return [...weight].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([g]) => g);
}

/** The `count` most popular items listing `genre` (any position), most popular first. */
export function genreSeedItems(catalog: readonly CatalogEntry[], genre: string, count = 3): CatalogEntry[] {
  return catalog.filter((it) => it.genres.includes(genre)).sort(byPopularity).slice(0, count);
}

/**
 * The events onboarding records, oldest first: a `view` of each picked genre's most popular
 * titles, then a `like` of each picked title (so the titles, the stronger signal, are the most
 * recent context). A title both picked and seeded by a genre is recorded once, as the like.
 */
export function onboardingEvents(
  catalog: readonly CatalogEntry[],
  pickedTitles: readonly number[],
  pickedGenres: readonly string[],
  perGenre = 3,
): { itemId: number; type: 'view' | 'like' }[] {
  const liked = new Set(pickedTitles);
  const viewed = new Set<number>();
  for (const g of pickedGenres) for (const it of genreSeedItems(catalog, g, perGenre)) if (!liked.has(it.id)) viewed.add(it.id);
  return [...[...viewed].map((itemId) => ({ itemId, type: 'view' as const })), ...[...liked].map((itemId) => ({ itemId, type: 'like' as const }))];
}
