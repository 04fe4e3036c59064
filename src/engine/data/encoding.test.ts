import { describe, expect, it } from 'vitest';
import { decodeLatin1OrUtf8, decodeUtf8 } from './encoding';

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('decodeUtf8', () => {
  it('decodes UTF-8 and drops a BOM', () => {
    expect(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('é,1')]), 'x.csv')).toBe('é,1');
  });

  it('names the line of a Latin-1 byte and says how to convert', () => {
    expect(() => decodeUtf8(latin1('a,1\nb,2\nMis\u00e9rables,3\n'), 'x.csv'))
      .toThrow(/^x\.csv:3: byte 0xe9 is not valid UTF-8 .*Latin-1.*iconv -f latin1 -t utf-8/);
  });

  it('rejects a truncated multi-byte sequence at the end', () => {
    expect(() => decodeUtf8(Uint8Array.from([0x61, 0xc3]), 'x.csv')).toThrow(/x\.csv:1: byte 0xc3/);
  });
});

describe('decodeLatin1OrUtf8', () => {
  it('reads real Latin-1 bytes, including 0x80-0x9F, as ISO-8859-1', () => {
    expect(decodeLatin1OrUtf8(latin1('La Vita \u00e8 bella \u0096'))).toBe('La Vita \u00e8 bella \u0096');
  });

  it('reads a copy re-encoded to UTF-8 as UTF-8', () => {
    expect(decodeLatin1OrUtf8(utf8('La Vita è bella'))).toBe('La Vita è bella');
  });
});
