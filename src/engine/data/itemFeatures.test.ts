import { describe, expect, it } from 'vitest';
import type { CatalogItem } from './catalog';
import { featureMatrix, featureRow, featureVocabulary, itemFeatureNames, titleBucketsOf, titleWords, wordBucket } from './itemFeatures';

const items: CatalogItem[] = [
  { id: 1, externalId: '1', title: 'A', year: 1995, genres: ['Comedy', 'Drama'] },
  { id: 2, externalId: '2', title: 'B', year: 1899, genres: ['Drama'] },
  { id: 3, externalId: '3', title: 'C', year: null, genres: [] },
];

describe('item features', () => {
  it('names genres and a clamped release decade', () => {
    expect(itemFeatureNames(items[0])).toEqual(['genre:Comedy', 'genre:Drama', 'decade:1990']);
    expect(itemFeatureNames(items[1])).toEqual(['genre:Drama', 'decade:1910']);
    expect(itemFeatureNames(items[2])).toEqual([]);
  });

  it('builds a sorted vocabulary', () => {
    expect(featureVocabulary(items)).toEqual(['decade:1910', 'decade:1990', 'genre:Comedy', 'genre:Drama']);
  });

  it('rows: genres share weight 1, decade weight 1, normalised to sum 1; unknown features ignored', () => {
    const vocab = featureVocabulary(items);
    expect(Array.from(featureRow(items[0], vocab))).toEqual([0, 0.5, 0.25, 0.25]);
    expect(Array.from(featureRow(items[1], vocab))).toEqual([0.5, 0, 0, 0.5]);
    expect(Array.from(featureRow(items[2], vocab))).toEqual([0, 0, 0, 0]);
    expect(Array.from(featureRow({ genres: ['Horror'], year: 1995 }, vocab))).toEqual([0, 1, 0, 0]);
  });

  it('matrix rows are indexed by item id, row 0 (padding) zero', () => {
    const vocab = featureVocabulary(items);
    const m = featureMatrix(items, 3, vocab);
    expect(m.length).toBe(4 * 4);
    expect(Array.from(m.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(m.subarray(8, 12))).toEqual([0.5, 0, 0, 0.5]);
  });

  it('title words: lower-case, accents folded, stop words and one-letter words dropped, each once', () => {
    expect(titleWords('Usual Suspects, The')).toEqual(['usual', 'suspects']);
    expect(titleWords('Star Wars: Episode IV - A New Hope')).toEqual(['star', 'wars', 'episode', 'iv', 'new', 'hope']);
    expect(titleWords('Amélie of the Star, the star')).toEqual(['amelie', 'star']);
    expect(titleWords('')).toEqual([]);
  });

  it('hashes words into stable buckets (FNV-1a)', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c = 3826002220.
    expect(wordBucket('a', 2 ** 31)).toBe(3826002220 % 2 ** 31);
    expect(wordBucket('a', 1000)).toBe(220);
    expect(wordBucket('star', 512)).toBe(wordBucket('star', 512));
    expect(wordBucket('star', 512)).toBeLessThan(512);
  });

  it('title-word block: names carry the bucket count, rows give title words a shared weight 1', () => {
    const films: CatalogItem[] = [
      { id: 1, externalId: '1', title: 'Star Trek', year: 1990, genres: ['Sci-Fi'] },
      { id: 2, externalId: '2', title: 'Star Wars', year: 1990, genres: ['Sci-Fi'] },
    ];
    const b = (w: string) => `title/64:${wordBucket(w, 64)}`;
    expect(itemFeatureNames(films[0], { titleBuckets: 64 })).toEqual(['genre:Sci-Fi', 'decade:1990', ...[b('star'), b('trek')].sort((x, y) => Number(x.split(':')[1]) - Number(y.split(':')[1]))]);
    const vocab = featureVocabulary(films, { titleBuckets: 64 });
    expect(titleBucketsOf(vocab)).toBe(64);
    expect(titleBucketsOf(featureVocabulary(films))).toBe(0);
    expect(vocab).toContain(b('wars'));
    const row = featureRow(films[0], vocab);
    const at = (name: string) => row[vocab.indexOf(name)];
    // genre 1, decade 1, two title words 1/2 each: sum 3.
    expect(at('genre:Sci-Fi')).toBeCloseTo(1 / 3);
    expect(at('decade:1990')).toBeCloseTo(1 / 3);
    expect(at(b('star'))).toBeCloseTo(1 / 6);
    expect(at(b('trek'))).toBeCloseTo(1 / 6);
    expect(at(b('wars'))).toBe(0);
    // A new item whose title shares a word with the catalog gets that word's feature.
    expect(featureRow({ title: 'Star Dust', genres: [], year: null }, vocab)[vocab.indexOf(b('star'))]).toBeGreaterThan(0);
  });

  it('a vocabulary without title words (an older model) gives the same rows whether or not a title is given', () => {
    const vocab = featureVocabulary(items);
    expect(Array.from(featureRow({ ...items[0], title: 'Star Trek' }, vocab))).toEqual([0, 0.5, 0.25, 0.25]);
  });
});
