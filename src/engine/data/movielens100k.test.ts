import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { buildDataset } from './buildDataset';
import { decodeLatin1OrUtf8 } from './encoding';
import { parseUData, parseUItem } from './movielens100k';

const flags = (...on: number[]) => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');
const uItem = [
  `1|Toy Story (1995)|01-Jan-1995||http://x|${flags(3, 4, 5)}`,
  `2|Mis\u00e9rables, Les (1995)|01-Jan-1995||http://x|${flags(8)}`,
  `3|unknown||||${flags(0)}`,
].join('\n');
const uData = '7\t2\t5\t881250949\n7\t1\t1\t881250000\n3\t1\t4\t881250949\n';

function errorOf(f: () => unknown): ParseError {
  try { f(); } catch (e) { if (e instanceof ParseError) return e; throw e; }
  throw new Error('expected a ParseError');
}

describe('MovieLens-100K', () => {
  it('parses u.item from Latin-1 bytes with genre flags and years', () => {
    const bytes = Uint8Array.from(uItem, (c) => c.charCodeAt(0));
    expect(parseUItem(decodeLatin1OrUtf8(bytes), 'u.item')).toEqual([
      { externalId: '1', title: 'Toy Story', year: 1995, genres: ['Animation', "Children's", 'Comedy'] },
      { externalId: '2', title: 'Misérables, Les', year: 1995, genres: ['Drama'] },
      { externalId: '3', title: 'unknown', year: null, genres: ['unknown'] },
    ]);
  });

  it('keeps ratings and time order per user; dense ids equal MovieLens ids', () => {
    const { dataset, catalog } = buildDataset(parseUData(uData, 'u.data'), parseUItem(uItem, 'u.item'), 'u.data');
    expect(dataset.userIds).toEqual(['3', '7']);
    expect(Array.from(dataset.sequences[1])).toEqual([1, 2]);
    expect(Array.from(dataset.ratings?.[1] ?? [])).toEqual([1, 5]);
    expect(Array.from(dataset.times?.[1] ?? [])).toEqual([881250000, 881250949]);
    expect(catalog?.[1]).toMatchObject({ id: 2, externalId: '2' });
  });

  it('gives specific errors for malformed lines', () => {
    expect(errorOf(() => parseUData('1\t2\t3\n', 'u.data')).message).toMatch(/^u\.data:1: expected 4 tab-separated fields/);
    expect(errorOf(() => parseUData('user\titem\trating\ttimestamp\n', 'u.data')).message).toMatch(/must be positive integers.*header/);
    expect(errorOf(() => parseUData('1\t2\tx\t5\n', 'u.data')).message).toMatch(/rating "x" is not a number/);
    expect(errorOf(() => parseUData('1\t2\t3\t2020-01-01\n', 'u.data')).message).toMatch(/timestamp "2020-01-01" is not a Unix time/);
    expect(errorOf(() => parseUData('', 'u.data')).message).toMatch(/no ratings found/);
    expect(errorOf(() => parseUItem('1|A|||', 'u.item')).message).toMatch(/^u\.item:1: expected 24 "\|"-separated fields, found 5/);
    expect(errorOf(() => parseUItem(`1|A||||${flags()}\n1|B||||${flags()}`, 'u.item')).message).toMatch(/u\.item:2: movie id 1 appears twice/);
    expect(errorOf(() => parseUItem(`1|A||||${flags().replace(/^0/, '2')}`, 'u.item')).message).toMatch(/genre flag 1 is "2"/);
  });
});
