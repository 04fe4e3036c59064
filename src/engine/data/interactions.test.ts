import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { parseInteractionsCsv, parseTimestamp } from './interactions';

describe('parseTimestamp', () => {
  it('reads Unix seconds, milliseconds and ISO dates as seconds (UTC)', () => {
    expect(parseTimestamp('1714557600')).toBe(1714557600);
    expect(parseTimestamp('1714557600500')).toBe(1714557600.5);
    expect(parseTimestamp('2024-05-01')).toBe(1714521600);
    expect(parseTimestamp('2024-05-01T10:00:00Z')).toBe(1714557600);
    expect(parseTimestamp('2024-05-01 10:00')).toBe(1714557600);
    expect(parseTimestamp('2024-05-01T12:00:00+02:00')).toBe(1714557600);
    expect(parseTimestamp('yesterday')).toBeNull();
    expect(parseTimestamp('2024-13-45')).toBeNull();
  });
});

describe('parseInteractionsCsv', () => {
  it('parses the shipped fixture (header, ISO and ms times, empty rating)', () => {
    const file = join(__dirname, 'fixtures/interactions.csv');
    const rows = parseInteractionsCsv(readFileSync(file, 'utf8'), file);
    expect(rows.map((r) => [r.user, r.item, r.time, r.rating, r.line])).toEqual([
      ['alice', 'm1', 1714557600, 5, 2],
      ['alice', 'm2', 1714557600, 4, 3],
      ['bob', 'm2', 1714557600, 2, 4],
      ['bob', 'm3', 1714608000, null, 5],
      ['alice', 'm3', 1714644000, 1, 6],
    ]);
  });

  it('works without a header and with columns reordered by a header', () => {
    expect(parseInteractionsCsv('u1,i1,10\n', 'a.csv')[0]).toMatchObject({ user: 'u1', item: 'i1', time: 10, rating: null });
    expect(parseInteractionsCsv('Rating,Time,Item,User\n3,10,i1,u1\n', 'a.csv')[0])
      .toMatchObject({ user: 'u1', item: 'i1', time: 10, rating: 3 });
  });

  const cases: [string, string, RegExp][] = [
    ['empty file', '\n\n', /^e\.csv:1: the file holds no interactions/],
    ['header only', 'user,item,timestamp\n', /e\.csv:1: the file has a header but no interactions/],
    ['unknown header column', 'user,item,when\n', /e\.csv:1: unknown column "when" in the header/],
    ['missing header column', 'user,item,rating\n', /e\.csv:1: the header has no "timestamp" column/],
    ['too few columns', 'u1,i1\n', /e\.csv:1: expected 3 or 4 columns/],
    ['tab-separated', 'u1\ti1\t10\n', /expected 3 or 4 columns .*found 1.*looks tab-separated/],
    ['inconsistent columns', 'u1,i1,10\nu2,i2,11,5\n', /e\.csv:2: expected 3 columns like the first line, found 4/],
    ['row wider than the header', 'user,item,timestamp\nu1,i1,10,5\n', /e\.csv:2: expected 3 columns like the header, found 4/],
    ['non-numeric timestamp', 'u1,i1,10\nu1,i2,soon\n', /e\.csv:2: timestamp "soon" is neither a number nor an ISO date/],
    ['non-numeric rating', 'u1,i1,10,good\n', /e\.csv:1: rating "good" is not a number/],
    ['empty item', 'u1,,10\n', /e\.csv:1: the item field is empty/],
  ];
  for (const [name, text, message] of cases) {
    it(`fails on ${name}`, () => {
      let err: unknown;
      try { parseInteractionsCsv(text, 'e.csv'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).code).toBe('PARSE_ERROR');
      expect((err as ParseError).message).toMatch(message);
    });
  }
});
