import { describe, expect, it, vi } from 'vitest';
import { fetchCatalog, rankInMemory } from './memoryFeed';
import { makeCatalog } from './testing/fakeEngine';

describe('rankInMemory (before consent)', () => {
  const catalog = makeCatalog(10); // odd ids Drama, even ids Comedy; popularity falls with the id

  it('starts from the most popular items', () => {
    expect(rankInMemory(catalog, [], 4, 0).map((r) => r.itemId)).toEqual([1, 2, 3, 4]);
  });

  it('leaves liked and disliked items out and moves the liked genre up', () => {
    const ids = rankInMemory(catalog, [{ itemId: 2, type: 'like', at: 1 }, { itemId: 1, type: 'dislike', at: 2 }], 5, 0).map((r) => r.itemId);
    expect(ids).toEqual([4, 6, 8, 10, 3]);
  });

  it('discover moves less popular items up', () => {
    const familiar = rankInMemory(catalog, [], 10, 0).map((r) => r.itemId);
    const discover = rankInMemory(catalog, [], 10, 1).map((r) => r.itemId);
    expect(familiar[0]).toBe(1);
    expect(discover[0]).toBe(10);
  });
});

describe('fetchCatalog', () => {
  it('reads catalog.json beside the model and says what is wrong with a bad folder', async () => {
    const good = vi.fn(async () => new Response(JSON.stringify({ items: [{ id: 1, title: 'A', genres: ['X', 3], popularity: 5 }, { id: 'bad' }] })));
    const items = await fetchCatalog('https://cdn.example/m/', good as unknown as typeof fetch);
    expect(good).toHaveBeenCalledWith('https://cdn.example/m/catalog.json');
    expect(items).toEqual([{ id: 1, externalId: '1', title: 'A', year: null, genres: ['X'], popularity: 5 }]);
    const missing = vi.fn(async () => new Response('no', { status: 404 }));
    await expect(fetchCatalog('https://cdn.example/nope/', missing as unknown as typeof fetch)).rejects.toThrow(/HTTP 404.*model folder/);
  });
});
