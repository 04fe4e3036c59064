import { describe, expect, it } from 'vitest';
import { ParseError } from '../errors';
import { parseCsv } from './csv';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, embedded commas and newlines, comments and CRLF', () => {
    const text = '# comment\r\na, "b,c" ,d\r\n\r\n"say ""hi""","two\nlines",\n';
    expect(parseCsv(text, 'f.csv')).toEqual([
      { line: 2, fields: ['a', 'b,c', 'd'] },
      { line: 4, fields: ['say "hi"', 'two\nlines', ''] },
    ]);
  });

  it('reports an unclosed quote with the line it starts on', () => {
    expect(() => parseCsv('a,b\nc,"open\nmore', 'f.csv')).toThrow(/^f\.csv:2: a quoted field is never closed/);
  });

  it('rejects text after a closing quote', () => {
    expect(() => parseCsv('"a"b,c', 'f.csv')).toThrow(ParseError);
    expect(() => parseCsv('"a"b,c', 'f.csv')).toThrow(/f\.csv:1: unexpected "b" after a closing quote/);
  });
});
