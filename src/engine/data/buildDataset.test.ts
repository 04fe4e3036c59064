import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { buildDataset, feedbackOfRating, userInteractions } from './buildDataset';
import type { CatalogEntry } from './catalogFile';
import { parseInteractionsCsv } from './interactions';

const entries: CatalogEntry[] = [
  { externalId: 'b', title: 'B', year: null, genres: ['x'] },
  { externalId: 'a', title: 'A', year: 2001, genres: [] },
  { externalId: 'z', title: 'Z', year: null, genres: [] },
];

describe('buildDataset', () => {
  const rows = parseInteractionsCsv('u10,a,30,5\nu9,b,5,1\nu10,b,10,3\nu10,a,10,\n', 'i.csv');

  it('gives catalog-order dense ids, natural user order, stable time order, ratings and times', () => {
    const { dataset, catalog } = buildDataset(rows, entries, 'i.csv');
    expect(dataset.numItems).toBe(3);
    expect(dataset.itemIds).toEqual(['', 'b', 'a', 'z']);
    expect(dataset.userIds).toEqual(['u9', 'u10'].sort());
    const u10 = dataset.userIds.indexOf('u10');
    expect(Array.from(dataset.sequences[u10])).toEqual([1, 2, 2]);
    expect(Array.from(dataset.times?.[u10] ?? [])).toEqual([10, 10, 30]);
    expect(userInteractions(dataset, u10)).toEqual([
      { item: 1, time: 10, rating: 3, feedback: 'neutral' },
      { item: 2, time: 10, rating: null, feedback: 'neutral' },
      { item: 2, time: 30, rating: 5, feedback: 'like' },
    ]);
    expect(catalog?.map((c) => [c.id, c.externalId])).toEqual([[1, 'b'], [2, 'a'], [3, 'z']]);
  });

  it('without a catalog numbers items in natural order (numeric ids by value)', () => {
    const { dataset, catalog } = buildDataset(parseInteractionsCsv('1,10,1\n1,9,2\n2,100,3\n', 'n.csv'), null, 'n.csv');
    expect(dataset.itemIds).toEqual(['', '9', '10', '100']);
    expect(dataset.userIds).toEqual(['1', '2']);
    expect(Array.from(dataset.sequences[0])).toEqual([2, 1]);
    expect(dataset.ratings).toBeUndefined();
    expect(catalog).toBeNull();
  });

  it('fails on an item missing from the catalog by default, naming the interaction line', () => {
    const more = parseInteractionsCsv('u1,a,1\nu1,q,2\n', 'i.csv');
    let err: unknown;
    try { buildDataset(more, entries, 'i.csv'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).message).toMatch(/^i\.csv:2: item "q" is not in the catalog.*--skip-unknown-items/);
  });

  it('skips unknown items with one warning when asked', () => {
    const warnings: string[] = [];
    const more = parseInteractionsCsv('u1,a,1\nu1,q,2\nu1,q,3\n', 'i.csv');
    const { dataset } = buildDataset(more, entries, 'i.csv', { unknownItems: 'skip', onWarning: (m) => warnings.push(m) });
    expect(Array.from(dataset.sequences[0])).toEqual([2]);
    expect(warnings).toEqual(['i.csv: skipped 2 interaction(s) whose item is not in the catalog (first: "q" on line 2)']);
  });

  it('maps ratings to feedback: >= 4 like, <= 2 dislike', () => {
    expect([1, 2, 2.5, 3, 3.5, 4, 5].map(feedbackOfRating)).toEqual(['dislike', 'dislike', 'neutral', 'neutral', 'neutral', 'like', 'like']);
  });
});
