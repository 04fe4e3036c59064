import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { parseSasLines } from './sasLines';

function parseError(text: string): ParseError {
  try {
    parseSasLines(text, 'data/ml.txt');
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('parseSasLines', () => {
  it('groups lines by user in file order; items keep their ids; numItems is the largest id', () => {
    const ds = parseSasLines('1 5\n1 3\n2 7\r\n\n1 9\n  2   1  \n', 'ml.txt');
    expect(ds.source).toBe('ml.txt');
    expect(ds.userIds).toEqual(['1', '2']);
    expect(ds.sequences.map((s) => Array.from(s))).toEqual([[5, 3, 9], [7, 1]]);
    expect(ds.numItems).toBe(9);
    expect(ds.itemIds.length).toBe(10);
    expect(ds.itemIds[0]).toBe('');
    expect(ds.itemIds[9]).toBe('9');
  });

  it('a line with one field: names file, line and the field count', () => {
    const e = parseError('1 5\n1 3\n\n7\n');
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.file).toBe('data/ml.txt');
    expect(e.line).toBe(4); // blank lines still count
    expect(e.message).toMatch(/^data\/ml\.txt:4: expected 2 fields "user item", found 1 in "7"/);
  });

  it('a line with four fields (a ratings file)', () => {
    const e = parseError('1 5 4.0 978300760\n');
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/found 4/);
  });

  it('comma-separated lines are one field, not two', () => {
    expect(parseError('1,5\n').message).toMatch(/found 1 in "1,5"/);
  });

  for (const bad of ['abc', '0', '-3', '1.5', '1e3x']) {
    it(`item id "${bad}" is not a positive integer`, () => {
      const e = parseError(`1 2\n1 ${bad}\n`);
      expect(e.line).toBe(2);
      expect(e.message).toContain(`item id "${bad}" is not a positive integer`);
      expect(e.message).toMatch(/generic CSV format/);
    });
  }

  it('an empty or blank file says there are no interactions', () => {
    for (const text of ['', '\n\n  \n']) {
      const e = parseError(text);
      expect(e.line).toBe(1);
      expect(e.message).toMatch(/no interactions found/);
    }
  });
});
