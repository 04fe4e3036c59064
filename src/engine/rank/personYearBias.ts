import type { CatalogItem } from '../data/catalog';
import { biasGain, bucketCase, fitBucketBias, personYearEdges, yearBuckets, type BucketCase } from './yearBias';

/**
 * A per-person bias over release years, fitted at rank time to the person's own newest items
 * (docs/ON_DEVICE.md, "The release-year bias in the feed"). It is what on-device learning could not
 * reach with weights or adapters on the `shift` protocol: people who watch newer films than the
 * population the model was trained on. Eight numbers, one per release-year bucket anchored at the
 * person's newest film (`personYearEdges`), added to the feed's scores of the films in each bucket.
 * Fitted to the person's newest `items` items, each given the items before it; used only when
 *  - the person's items are on average newer than the model expects (the softmax-weighted mean
 *    release year of what it would have shown) by more than `minGapYears`, and
 *  - fitted without the newest item, it makes that item more likely (as fine-tuning validates).
 * Derived from the history and the weights, like the dislike penalty: nothing to store, export or
 * delete beyond the history itself.
 */
export interface YearBiasSettings {
  /** Number of newest items the bias is fitted to (each given the items before it); 0 = off. */
  items: number;
  /** L2 penalty on the bias. */
  l2: number;
  /** Used only when the person's items are newer than the model expects by more than this (years). */
  minGapYears: number;
}

/** Release years of the items a feed ranks (index = item id; NaN: unknown). */
export interface ItemYears {
  years: Float64Array;
  /** Items the feed may rank (1) or never shows (0); null: every item with id ≥ 1. */
  rankable: Uint8Array | null;
}

/**
 * The years of a catalog's items (ids 1..numItems), or null when fewer than two distinct years
 * are known (a catalog without years: no bias). `excluded`: items the feed never shows (they get
 * no softmax mass when fitting).
 */
export function itemYears(catalog: readonly Pick<CatalogItem, 'id' | 'year'>[], numItems: number, excluded?: ReadonlySet<number>): ItemYears | null {
  const years = new Float64Array(numItems + 1).fill(NaN);
  const distinct = new Set<number>();
  for (const it of catalog) {
    if (it.id < 1 || it.id > numItems || it.year === null || !Number.isFinite(it.year)) continue;
    years[it.id] = it.year;
    distinct.add(it.year);
  }
  if (distinct.size < 2) return null;
  let rankable: Uint8Array | null = null;
  if (excluded?.size) {
    rankable = new Uint8Array(numItems + 1).fill(1);
    rankable[0] = 0;
    for (const id of excluded) if (id >= 0 && id <= numItems) rankable[id] = 0;
  }
  return { years, rankable };
}

/** Why the person's feed has a year bias or not. */
export type YearBiasOutcome = 'kept' | 'too-few-items' | 'not-newer' | 'not-validated';

export interface YearBiasFit {
  /** The bias per bucket (oldest first), or null when not used. */
  bias: Float64Array | null;
  /** Bucket edges (exclusive upper bounds, see `personYearEdges`). */
  edges: number[];
  /** Mean of (item's release year − the year the model expected) over the fitting items. */
  gapYears: number;
  outcome: YearBiasOutcome;
}

/**
 * Fits the bias for `sequence` (oldest first). `prefixScores[j]` are the model's scores (index =
 * item id) after the first `sequence.length − prefixScores.length + j` items, i.e. for the newest
 * `prefixScores.length` items each given the items before it (`scorePositions` computes them in
 * the feed's forward pass).
 */
export function fitYearBias(prefixScores: readonly Float32Array[], sequence: readonly number[], items: ItemYears, s: YearBiasSettings): YearBiasFit {
  const n = sequence.length;
  const first = n - prefixScores.length;
  let newest = -Infinity;
  for (const id of sequence) { const y = items.years[id]; if (y > newest) newest = y; }
  const edges = Number.isFinite(newest) ? personYearEdges(newest) : [];
  const none = (outcome: YearBiasOutcome, gapYears = 0): YearBiasFit => ({ bias: null, edges, gapYears, outcome });
  // One case to fit on and one to validate with, at least.
  if (!edges.length || prefixScores.length < 2 || first < 1) return none('too-few-items');
  const buckets = yearBuckets(items.years, edges);
  // Skipped (1): padding, items the feed never shows, and the items before each case's item.
  const skip = new Uint8Array(items.years.length);
  skip[0] = 1;
  if (items.rankable) for (let i = 0; i < skip.length; i++) if (!items.rankable[i]) skip[i] = 1;
  for (let t = 0; t < first; t++) skip[sequence[t]] = 1;
  const cases: BucketCase[] = [];
  for (let j = 0; j < prefixScores.length; j++) {
    const t = first + j;
    const c = bucketCase(prefixScores[j], buckets, edges.length + 1, skip, sequence[t], items.years);
    if (c) cases.push(c);
    skip[sequence[t]] = 1;
  }
  if (cases.length < 2) return none('too-few-items');
  let gap = 0;
  for (const c of cases) gap += c.gap;
  gap /= cases.length;
  if (!(gap > s.minGapYears)) return none('not-newer', gap);
  const bias = fitBucketBias(cases.slice(0, -1), edges.length + 1, s.l2);
  if (!(biasGain(cases[cases.length - 1], bias) > 0)) return none('not-validated', gap);
  return { bias, edges, gapYears: gap, outcome: 'kept' };
}

/** Adds the fitted bias to `scores` in place (items of unknown year unchanged); returns `scores`. */
export function addYearBias(scores: Float32Array, fit: YearBiasFit, items: ItemYears): Float32Array {
  if (!fit.bias) return scores;
  const buckets = yearBuckets(items.years, fit.edges);
  for (let i = 1; i < scores.length && i < buckets.length; i++) if (buckets[i] >= 0) scores[i] += fit.bias[buckets[i]];
  return scores;
}

/** The years bucket `k` of `edges` covers, in words ("before 1980", "1990–1993", "1997", "1998 on"). */
export function bucketLabel(edges: readonly number[], k: number): string {
  if (k === 0) return `before ${edges[0]}`;
  if (k >= edges.length) return `${edges[edges.length - 1]} on`;
  const from = edges[k - 1], to = edges[k] - 1;
  return from === to ? `${from}` : `${from}–${to}`;
}

/**
 * What the fitted bias does to an item of release year `year`: its bucket's words and the score
 * change, or null when there is no bias or the year is unknown.
 */
export function yearBiasOf(fit: YearBiasFit | null, year: number | null): { years: string; boost: number } | null {
  if (!fit?.bias || year === null || !Number.isFinite(year)) return null;
  let k = 0;
  while (k < fit.edges.length && year >= fit.edges[k]) k++;
  return { years: bucketLabel(fit.edges, k), boost: fit.bias[k] };
}
