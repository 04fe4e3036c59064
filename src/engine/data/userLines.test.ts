import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { countTiedTimestamps, formatImportReport, looksLikeUserLines, parseUserLines } from './userLines';

describe('parseUserLines', () => {
  it('reads "<user> <item> <item> …" in time order, mapping any item token to dense ids by first appearance', () => {
    const { dataset, report } = parseUserLines('u1 b a c\nu2\tc  b\n\nu3 a\n', 'seq.txt');
    expect(dataset.userIds).toEqual(['u1', 'u2', 'u3']);
    expect(dataset.itemIds).toEqual(['', 'b', 'a', 'c']);
    expect(dataset.sequences.map((s) => [...s])).toEqual([[1, 2, 3], [3, 1], [2]]);
    expect(report).toMatchObject({ rowsRead: 3, dropped: {}, users: 3, items: 3, interactions: 6, tiedTimestamps: null });
  });

  it('appends a user\'s later lines, drops users with no items and says so', () => {
    const { dataset, report } = parseUserLines('7 10 11\n8\n7 12\n9\n', 'f');
    expect(dataset.sequences.map((s) => [...s])).toEqual([[1, 2, 3]]);
    expect(report.dropped).toEqual({ 'a user with no items': 2 });
    expect(report.idMapping).toMatch(/3 distinct numeric item tokens -> dense ids 1..3/);
    const lines = formatImportReport(report, 'user-lines');
    expect(lines[0]).toMatch(/4 rows read; dropped 2 \(a user with no items\)/);
    expect(lines[1]).toMatch(/kept 1 users, 3 items, 3 interactions/);
  });

  it('refuses a file with no items, naming the line', () => {
    expect(() => parseUserLines('a\nb\n', 'empty.txt')).toThrow(ParseError);
    expect(() => parseUserLines('', 'empty.txt')).toThrow(/no user line with items/);
  });

  it('detection: a line with more than two fields means one line per user', () => {
    expect(looksLikeUserLines('1 1\n1 2\n')).toBe(false);
    expect(looksLikeUserLines('1 1\n2 3 4\n')).toBe(true);
    expect(looksLikeUserLines('1 a\n')).toBe(true);
  });

  it('counts tied timestamps within each history', () => {
    expect(countTiedTimestamps([Float64Array.from([1, 1, 2, 2, 2]), Float64Array.from([5])])).toBe(3);
  });
});
