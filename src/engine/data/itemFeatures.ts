import type { CatalogItem } from './catalog';

/** Feature names of an item: its genres and its release decade. */
export function itemFeatureNames(item: Pick<CatalogItem, 'genres' | 'year'>): string[] {
  const names = item.genres.map((g) => `genre:${g}`);
  if (item.year !== null) names.push(`decade:${Math.max(1910, Math.min(2020, Math.floor(item.year / 10) * 10))}`);
  return names;
}

/** The feature vocabulary of a catalog, sorted for stability. */
export function featureVocabulary(items: CatalogItem[]): string[] {
  const set = new Set<string>();
  for (const it of items) for (const f of itemFeatureNames(it)) set.add(f);
  return [...set].sort();
}

/**
 * Row-normalised feature vector of one item over `vocab` (unknown features ignored):
 * genres share weight 1, the decade has weight 1, then the row is scaled to sum 1.
 */
export function featureRow(item: Pick<CatalogItem, 'genres' | 'year'>, vocab: string[]): Float32Array {
  const index = new Map(vocab.map((f, i) => [f, i]));
  const row = new Float32Array(vocab.length);
  const names = itemFeatureNames(item);
  const genres = names.filter((n) => n.startsWith('genre:'));
  for (const n of names) {
    const i = index.get(n);
    if (i === undefined) continue;
    row[i] += n.startsWith('genre:') ? 1 / genres.length : 1;
  }
  let sum = 0;
  for (const v of row) sum += v;
  if (sum > 0) for (let i = 0; i < row.length; i++) row[i] /= sum;
  return row;
}

/** [numItems+1, vocab] matrix, row 0 (padding) zero, row id = catalog item id. */
export function featureMatrix(items: CatalogItem[], numItems: number, vocab: string[]): Float32Array {
  const out = new Float32Array((numItems + 1) * vocab.length);
  for (const it of items) out.set(featureRow(it, vocab), it.id * vocab.length);
  return out;
}
