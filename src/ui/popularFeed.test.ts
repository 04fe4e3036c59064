import { describe, expect, it } from 'vitest';
import { popularFeed, type CatalogEntry } from './popularFeed';

const item = (id: number, popularity: number, genre: string): CatalogEntry => ({ id, externalId: String(id), title: `T${id}`, year: 2000, genres: [genre], popularity });

describe('popularFeed', () => {
  const catalog = [item(1, 100, 'Drama'), item(2, 90, 'Drama'), item(3, 80, 'Drama'), item(4, 70, 'Comedy'), item(5, 60, 'Action'), item(6, 50, 'Horror')];

  it('orders by popularity but spreads genres', () => {
    expect(popularFeed(catalog, 6, new Set(), 2).map((it) => it.id)).toEqual([1, 4, 5, 2, 6, 3]);
  });
  it('leaves out excluded items and stops at the catalog size', () => {
    expect(popularFeed(catalog, 10, new Set([1, 4]), 1).map((it) => it.id)).toEqual([2, 5, 3, 6]);
  });
  it('does not mutate the catalog', () => {
    const copy = catalog.slice();
    popularFeed(catalog, 3);
    expect(catalog).toEqual(copy);
  });
});
