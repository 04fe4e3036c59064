import { describe, expect, it } from 'vitest';
import type { CatalogItem } from './catalog';
import { featureMatrix, featureRow, featureVocabulary, itemFeatureNames } from './itemFeatures';

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
});
