import { describe, expect, it } from 'vitest';
import { parseCatalog } from './parseCatalog';

const bytes = (items: unknown[]) => new TextEncoder().encode(JSON.stringify({ items })).buffer as ArrayBuffer;

describe('parseCatalog (catalog.json of a model folder)', () => {
  it('keeps an item image inside the site and an http(s) link', () => {
    const [item] = parseCatalog(bytes([{ id: 1, externalId: 'a', title: 'A', genres: [], image: 'images/a.jpg', url: 'https://shop.example/a' }]));
    expect(item).toMatchObject({ image: 'images/a.jpg', url: 'https://shop.example/a', year: null, popularity: 0 });
  });

  it('refuses an image from another origin with the reason, and a non-http link', () => {
    expect(() => parseCatalog(bytes([{ id: 1, title: 'A', image: 'https://cdn.example/a.jpg' }]))).toThrow(/another origin would tell that origin/);
    expect(() => parseCatalog(bytes([{ id: 1, title: 'A', url: 'javascript:alert(1)' }]))).toThrow(/only http and https/);
  });
});
