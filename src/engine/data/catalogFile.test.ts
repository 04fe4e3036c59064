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

  it('rejects a row without a title, an empty file and a header without rows', () => {
    expect(errorOf(() => parseCatalogCsv('a,A\nb\n', 'c.csv')).message).toMatch(/c\.csv:2: expected at least 2 columns/);
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
    expect(errorOf(() => parseCatalogJson('[{"id":1}]', 'c.json')).message).toMatch(/has no "title" string/);
    expect(errorOf(() => parseCatalogJson('[{"id":1,"title":"A","tags":"x"}]', 'c.json')).message).toMatch(/"tags" must be an array of strings/);
  });
});
