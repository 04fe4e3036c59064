import type { CatalogItem } from './catalog';

/** What content features are read from: genres, year and (optionally) the title. */
export type FeatureItem = Pick<CatalogItem, 'genres' | 'year'> & Partial<Pick<CatalogItem, 'title'>>;

/** Which feature blocks a vocabulary has beyond genres and decade. */
export interface FeatureOptions {
  /**
   * Hash title words into this many buckets (feature names `title/<buckets>:<bucket>`); 0 or
   * absent = no title words. The bucket count is part of every name, so a model's recorded
   * vocabulary says how to featurize a new item, and models without title words are unaffected.
   */
  titleBuckets?: number;
}

const TITLE_PREFIX = 'title/';

/** Words that say nothing about a film (articles, prepositions; English and a few common foreign ones). */
const STOP_WORDS: ReadonlySet<string> = new Set([
  'the', 'a', 'an', 'of', 'and', 'in', 'on', 'to', 'for', 'with', 'at', 'from', 'by', 'is', 'it', 'or', 'as',
  'la', 'le', 'les', 'l', 'de', 'du', 'des', 'der', 'die', 'das', 'el', 'il', 'lo', 'los', 'un', 'une', 'et',
]);

/** Distinct lower-case words of a title (letters and digits), without stop words and one-letter words. */
export function titleWords(title: string): string[] {
  const words = title.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^a-z0-9]+/);
  return [...new Set(words.filter((w) => w.length > 1 && !STOP_WORDS.has(w)))];
}

/** FNV-1a (32-bit) hash of a word into 0..buckets-1: stable across runs, machines and languages. */
export function wordBucket(word: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % buckets;
}

/** Title-word feature names of a title (one per distinct bucket, sorted). */
function titleFeatureNames(title: string, buckets: number): string[] {
  const hit = new Set(titleWords(title).map((w) => wordBucket(w, buckets)));
  return [...hit].sort((a, b) => a - b).map((b) => `${TITLE_PREFIX}${buckets}:${b}`);
}

/** Feature names of an item: its genres, its release decade and, when asked, its hashed title words. */
export function itemFeatureNames(item: FeatureItem, opts: FeatureOptions = {}): string[] {
  const names = item.genres.map((g) => `genre:${g}`);
  if (item.year !== null) names.push(`decade:${Math.max(1910, Math.min(2020, Math.floor(item.year / 10) * 10))}`);
  const buckets = opts.titleBuckets ?? 0;
  if (buckets > 0 && item.title) names.push(...titleFeatureNames(item.title, buckets));
  return names;
}

/** The feature vocabulary of a catalog, sorted for stability. */
export function featureVocabulary(items: readonly FeatureItem[], opts: FeatureOptions = {}): string[] {
  const set = new Set<string>();
  for (const it of items) for (const f of itemFeatureNames(it, opts)) set.add(f);
  return [...set].sort();
}

/** The title-word bucket count a vocabulary was built with (0 when it has no title words). */
export function titleBucketsOf(vocab: readonly string[]): number {
  const name = vocab.find((f) => f.startsWith(TITLE_PREFIX));
  return name ? Number(name.slice(TITLE_PREFIX.length, name.indexOf(':'))) : 0;
}

/**
 * Row-normalised feature vector of one item over `vocab` (unknown features ignored):
 * genres share weight 1, the decade has weight 1, title words (when `vocab` has them) share
 * weight 1, then the row is scaled to sum 1. A vocabulary without title words gives exactly the
 * rows it gave before title words existed.
 */
export function featureRow(item: FeatureItem, vocab: readonly string[]): Float32Array {
  const index = new Map(vocab.map((f, i) => [f, i]));
  const row = new Float32Array(vocab.length);
  const names = itemFeatureNames(item, { titleBuckets: titleBucketsOf(vocab) });
  const genres = names.filter((n) => n.startsWith('genre:')).length;
  const titles = names.filter((n) => n.startsWith(TITLE_PREFIX)).length;
  for (const n of names) {
    const i = index.get(n);
    if (i === undefined) continue;
    row[i] += n.startsWith('genre:') ? 1 / genres : n.startsWith(TITLE_PREFIX) ? 1 / titles : 1;
  }
  let sum = 0;
  for (const v of row) sum += v;
  if (sum > 0) for (let i = 0; i < row.length; i++) row[i] /= sum;
  return row;
}

/** [numItems+1, vocab] matrix, row 0 (padding) zero, row id = catalog item id. */
export function featureMatrix(items: readonly (FeatureItem & Pick<CatalogItem, 'id'>)[], numItems: number, vocab: readonly string[]): Float32Array {
  const out = new Float32Array((numItems + 1) * vocab.length);
  for (const it of items) out.set(featureRow(it, vocab), it.id * vocab.length);
  return out;
}
