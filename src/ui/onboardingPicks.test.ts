import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from 'localrec';
import { genreOptions, genreSeedItems, onboardingEvents, onboardingGrid } from './onboardingPicks';

function entry(id: number, genres: string[], popularity: number): CatalogEntry {
  return { id, externalId: String(id), title: `Item ${id}`, year: 2000, genres, popularity };
}

// Popularity order: 1 (A), 2 (A|B), 3 (A), 4 (B), 5 (C|A), 6 (B), 7 (none), 8 (none), 9 (none), 10 (C).
const CATALOG: CatalogEntry[] = [
  entry(3, ['A'], 80),
  entry(1, ['A'], 100),
  entry(2, ['A', 'B'], 90),
  entry(4, ['B'], 70),
  entry(5, ['C', 'A'], 60),
  entry(6, ['B'], 50),
  entry(7, [], 40),
  entry(8, [], 30),
  entry(9, [], 20),
  entry(10, ['C'], 10),
];

describe('onboardingGrid', () => {
  it('takes the most popular items, at most two per primary genre', () => {
    // A: 1, 2 (3 skipped); B: 4, 6; C: 5, 10; no genre: 7, 8 (9 skipped).
    expect(onboardingGrid(CATALOG).map((it) => it.id)).toEqual([1, 2, 4, 5, 6, 7, 8, 10]);
  });
  it('honours size and perGenre', () => {
    expect(onboardingGrid(CATALOG, { size: 3 }).map((it) => it.id)).toEqual([1, 2, 4]);
    expect(onboardingGrid(CATALOG, { perGenre: 1 }).map((it) => it.id)).toEqual([1, 4, 5, 7]);
  });
  it('breaks popularity ties by id and does not reorder the caller’s array', () => {
    const tied = [entry(9, ['X'], 5), entry(2, ['Y'], 5)];
    expect(onboardingGrid(tied).map((it) => it.id)).toEqual([2, 9]);
    expect(tied.map((it) => it.id)).toEqual([9, 2]);
  });
  it('is empty for an empty catalog', () => {
    expect(onboardingGrid([])).toEqual([]);
  });
});

describe('genreOptions', () => {
  it('orders genres by summed popularity', () => {
    // A: 100 + 90 + 80 + 60 = 330; B: 90 + 70 + 50 = 210; C: 60 + 10 = 70.
    expect(genreOptions(CATALOG)).toEqual(['A', 'B', 'C']);
  });
});

describe('genreSeedItems', () => {
  it('returns the most popular items listing the genre anywhere', () => {
    expect(genreSeedItems(CATALOG, 'B').map((it) => it.id)).toEqual([2, 4, 6]);
    expect(genreSeedItems(CATALOG, 'C', 5).map((it) => it.id)).toEqual([5, 10]);
    expect(genreSeedItems(CATALOG, 'Z')).toEqual([]);
  });
});

describe('onboardingEvents', () => {
  it('views the genre seeds first, then likes the picked titles, each item once', () => {
    expect(onboardingEvents(CATALOG, [4, 10], ['B'])).toEqual([
      { itemId: 2, type: 'view' },
      { itemId: 6, type: 'view' },
      { itemId: 4, type: 'like' },
      { itemId: 10, type: 'like' },
    ]);
  });
  it('records nothing when nothing was picked', () => {
    expect(onboardingEvents(CATALOG, [], [])).toEqual([]);
  });
});
