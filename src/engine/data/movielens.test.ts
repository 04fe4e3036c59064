import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { IdMap, joinCatalog, parseIdMap, parseMoviesDat } from './movielens';

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

// "Café" and "Amélie" as they arrive after decoding the file's bytes as Latin-1.
const moviesDat = [
  '1::Toy Story (1995)::Animation|Children\'s|Comedy',
  '2::Jumanji (1995)::Adventure|Children\'s|Fantasy\r',
  '',
  '3::Caf\u00e9 au lait (Caf\u00e9 au Lait) (1993)::Comedy',
  '4::Untitled::',
].join('\n');

describe('parseMoviesDat', () => {
  it('splits title, year and genres; keeps Latin-1 characters; skips blank lines', () => {
    const movies = parseMoviesDat(moviesDat, 'movies.dat');
    expect(movies.size).toBe(4);
    expect(movies.get('1')).toEqual({ title: 'Toy Story', year: 1995, genres: ['Animation', "Children's", 'Comedy'] });
    expect(movies.get('2')?.genres).toEqual(['Adventure', "Children's", 'Fantasy']); // \r stripped
    expect(movies.get('3')).toEqual({ title: 'Caf\u00e9 au lait (Caf\u00e9 au Lait)', year: 1993, genres: ['Comedy'] });
    expect(movies.get('4')).toEqual({ title: 'Untitled', year: null, genres: [] });
  });

  it('wrong field count names file and line, and asks whether it is movies.dat', () => {
    const e = parseError(() => parseMoviesDat('1::A (1990)::Drama\n2,B (1991),Drama\n', 'ml-1m/movies.dat'));
    expect(e.file).toBe('ml-1m/movies.dat');
    expect(e.line).toBe(2);
    expect(e.message).toBe('ml-1m/movies.dat:2: expected 3 fields "MovieID::Title::Genres", found 1. Is this MovieLens-1M movies.dat?');
  });

  it('a MovieID that is not a number', () => {
    const e = parseError(() => parseMoviesDat('\nx1::A (1990)::Drama\n', 'movies.dat'));
    expect(e.line).toBe(2);
    expect(e.message).toContain('MovieID "x1" is not a number');
  });
});

describe('parseIdMap', () => {
  it('maps item ids to original ids and remembers their lines', () => {
    const map = parseIdMap('1 10\n\n2 20\r\n3 30\n', 'map.txt');
    expect(map).toBeInstanceOf(IdMap);
    expect([...map.entries()]).toEqual([[1, '10'], [2, '20'], [3, '30']]);
    expect(map.lineOf.get(3)).toBe(4);
    expect(map.lineCount).toBe(4);
  });

  for (const [label, line] of [['one field', '7'], ['three fields', '7 70 700'], ['id 0', '0 70'], ['id not a number', 'seven 70'], ['negative id', '-7 70']]) {
    it(`${label}: names file and line`, () => {
      const e = parseError(() => parseIdMap(`1 10\n${line}\n`, 'map.txt'));
      expect(e.file).toBe('map.txt');
      expect(e.line).toBe(2);
      expect(e.message).toContain(`expected "<item id> <original id>", got "${line}"`);
    });
  }

  it('an item id mapped twice points at both lines', () => {
    const e = parseError(() => parseIdMap('1 10\n2 20\n1 30\n', 'map.txt'));
    expect(e.line).toBe(3);
    expect(e.message).toContain('item 1 is mapped a second time (first on line 1)');
  });
});

describe('joinCatalog', () => {
  const movies = parseMoviesDat(moviesDat, 'movies.dat');

  it('builds items 1..numItems with titles, years and genres', () => {
    const items = joinCatalog(2, parseIdMap('1 3\n2 1\n', 'map.txt'), movies, 'map.txt');
    expect(items).toEqual([
      { id: 1, externalId: '3', title: 'Caf\u00e9 au lait (Caf\u00e9 au Lait)', year: 1993, genres: ['Comedy'] },
      { id: 2, externalId: '1', title: 'Toy Story', year: 1995, genres: ['Animation', "Children's", 'Comedy'] },
    ]);
  });

  it('an id map line naming an unknown MovieID: reports that line (not line 0)', () => {
    const e = parseError(() => joinCatalog(3, parseIdMap('1 1\n2 2\n3 99\n', 'map.txt'), movies, 'map.txt'));
    expect(e.line).toBe(3);
    expect(e.message).toBe('map.txt:3: MovieID 99 (item 3) is not in movies.dat. Use the movies.dat of the same MovieLens release');
  });

  it('an item missing from the id map: reports the end of the map and both sizes', () => {
    const e = parseError(() => joinCatalog(4, parseIdMap('1 1\n2 2\n3 3\n', 'map.txt'), movies, 'map.txt'));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/^map\.txt:3: item 4 has no entry in the id map \(the data has 4 items, the map 3\)/);
  });

  it('a plain Map (no line information) still reports a 1-based line', () => {
    const e = parseError(() => joinCatalog(1, new Map([[1, '99']]), movies, 'map.txt'));
    expect(e.line).toBe(1);
  });
});
