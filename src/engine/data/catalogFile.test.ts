import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { parseCatalogCsv, parseCatalogJson } from './catalogFile';

const expected = [
  { externalId: 'm1', title: 'Heat', year: 1995, genres: ['Action', 'Crime'] },
  { externalId: 'm2', title: 'Me, Myself and Irene', year: 2000, genres: ['Comedy'] },
  { externalId: 'm3', title: 'Untitled', year: null, genres: ['Drama', 'Indie'] },
  { externalId: 'm4', title: 'Never watched', year: null, genres: [] },
];

function errorOf(f: () => unknown): ParseError {
  try { f(); } catch (e) { if (e instanceof ParseError) return e; throw e; }
  throw new Error('expected a ParseError');
}

describe('parseCatalogCsv', () => {
  it('parses the shipped fixture: quoted titles with commas, tag columns and | lists, years from titles', () => {
    const file = join(__dirname, 'fixtures/catalog.csv');
    expect(parseCatalogCsv(readFileSync(file, 'utf8'), file)).toEqual(expected);
  });

  it('works without a header', () => {
    expect(parseCatalogCsv('7,Seven\n', 'c.csv')).toEqual([{ externalId: '7', title: 'Seven', year: null, genres: [] }]);
  });

  it('names the line of a duplicate id and the first definition', () => {
    const e = errorOf(() => parseCatalogCsv('id,title\na,A\nb,B\na,Again\n', 'c.csv'));
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^c\.csv:4: item id "a" is already defined on line 2/);
  });

  it('labels an item without a title from its id and keeps its tags; rejects an empty file and a header without rows', () => {
    expect(parseCatalogCsv('a,A\nsku_blue-mug\n42\n', 'c.csv').map((e) => e.title)).toEqual(['A', 'Sku blue mug', 'Item 42']);
    expect(parseCatalogCsv('id,tags\nx1,Kitchen|Blue\n', 'c.csv')).toEqual([{ externalId: 'x1', title: 'X1', year: null, genres: ['Kitchen', 'Blue'] }]);
    expect(errorOf(() => parseCatalogCsv('a\tA\n', 'c.csv')).message).toMatch(/tab-separated/);
    expect(errorOf(() => parseCatalogCsv('', 'c.csv')).message).toMatch(/c\.csv:1: the catalog is empty/);
    expect(errorOf(() => parseCatalogCsv('id,title\n', 'c.csv')).message).toMatch(/header but no items/);
  });
});

describe('parseCatalogJson', () => {
  it('parses the shipped fixture (tags or genres, explicit year or year in title)', () => {
    const file = join(__dirname, 'fixtures/catalog.json');
    expect(parseCatalogJson(readFileSync(file, 'utf8'), file)).toEqual(expected);
  });

  it('reads a model folder catalog.json ({items}, externalId preferred over the dense id)', () => {
    const text = JSON.stringify({ items: [{ id: 1, externalId: '1198', title: 'Raiders', year: 1981, genres: ['Action'] }] });
    expect(parseCatalogJson(text, 'catalog.json')).toEqual([{ externalId: '1198', title: 'Raiders', year: 1981, genres: ['Action'] }]);
  });

  it('gives specific errors', () => {
    expect(errorOf(() => parseCatalogJson('[{"id": 1,\n "title": }]', 'c.json')).message).toMatch(/^c\.json:\d+: not valid JSON/);
    expect(errorOf(() => parseCatalogJson('{"x": 1}', 'c.json')).message).toMatch(/expected an array of items/);
    expect(errorOf(() => parseCatalogJson('[]', 'c.json')).message).toMatch(/the catalog is empty/);
    expect(errorOf(() => parseCatalogJson('[{"id":1,"title":"A"},{"id":"1","title":"B"}]', 'c.json')).message)
      .toMatch(/item id "1" appears twice \(item #2 and item #1\)/);
    expect(errorOf(() => parseCatalogJson('[{"title":"A"}]', 'c.json')).message).toMatch(/item #1 has no "id"/);
    expect(parseCatalogJson('[{"id":1}]', 'c.json')[0].title).toBe('Item 1');
    expect(errorOf(() => parseCatalogJson('[{"id":1,"title":2}]', 'c.json')).message).toMatch(/"title" must be a string/);
    expect(errorOf(() => parseCatalogJson('[{"id":1,"title":"A","tags":"x"}]', 'c.json')).message).toMatch(/"tags" must be an array of strings/);
  });
});

describe('catalog image and url columns', () => {
  const csv = (rows: string) => parseCatalogCsv(`id,title,tags,image,url,year\n${rows}`, 'items.csv');

  it('reads them by header name, in any column order, with the year column', () => {
    expect(csv('a,Blue mug,Kitchen,images/a.jpg,https://shop.example/a,2021\nb,Plate,,,,\n')).toEqual([
      { externalId: 'a', title: 'Blue mug', year: 2021, genres: ['Kitchen'], image: 'images/a.jpg', url: 'https://shop.example/a' },
      { externalId: 'b', title: 'Plate', year: null, genres: [] },
    ]);
    expect(parseCatalogCsv('id,url,name\n1,https://x.example/1,One\n', 'c.csv')).toEqual([{ externalId: '1', title: 'One', year: null, genres: [], url: 'https://x.example/1' }]);
  });

  it('refuses an image from another origin or outside the site folder, saying why', () => {
    for (const bad of ['https://cdn.example/a.jpg', '//cdn.example/a.jpg', 'data:image/png;base64,AAAA', '/images/a.jpg', '../secret.png', 'images\\a.jpg']) {
      const e = errorOf(() => csv(`a,A,,${bad.includes(',') ? `"${bad}"` : bad},,\n`));
      expect(e.message, bad).toMatch(/^items\.csv:2: item "a": image /);
      expect(e.message).toContain('would tell that origin which items the person looks at');
    }
    expect(errorOf(() => parseCatalogJson('[{"id":"a","image":"http://img.example/a.png"}]', 'c.json')).message).toContain('another origin');
  });

  it('accepts only http(s) links', () => {
    expect(errorOf(() => csv('a,A,,,javascript:alert(1),\n')).message).toMatch(/only http and https links/);
    expect(errorOf(() => csv('a,A,,,shop/a,\n')).message).toMatch(/not an absolute URL/);
    expect(parseCatalogJson('[{"id":"a","url":"https://x.example/a","image":"img/a.png"}]', 'c.json')[0]).toMatchObject({ url: 'https://x.example/a', image: 'img/a.png' });
  });
});
