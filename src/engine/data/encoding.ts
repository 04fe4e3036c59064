import { ParseError } from '../errors';

/** 1-based line number of byte offset `pos`. */
function lineOfByte(bytes: Uint8Array, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Offset of the first byte that breaks UTF-8, or -1 when `bytes` is valid UTF-8. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= bytes.length) return i;
    for (let k = 1; k <= n; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Decodes a data file that must be UTF-8 (a leading BOM is dropped). Latin-1 or Windows-1252
 * files fail with the line of the first bad byte and the command that converts them.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    throw new ParseError(file, lineOfByte(bytes, bad),
      `byte 0x${bytes[bad].toString(16).padStart(2, '0')} is not valid UTF-8 (the file looks Latin-1 or Windows-1252 encoded)`,
      `Convert it, e.g. \`iconv -f latin1 -t utf-8 ${file} > fixed.csv\`, then load fixed.csv`);
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Decodes the MovieLens files documented as Latin-1 (`movies.dat`, `u.item`). Some public copies
 * were re-encoded to UTF-8; bytes that form valid multi-byte UTF-8 are read as UTF-8 (real
 * Latin-1 accents such as "é" = 0xE9 followed by ASCII are never valid UTF-8), so both work.
 */
export function decodeLatin1OrUtf8(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) { ascii = false; break; }
  if (!ascii && firstInvalidUtf8(bytes) < 0) {
    const text = new TextDecoder('utf-8').decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  // ISO-8859-1 maps each byte to the code point of the same value (TextDecoder's "latin1" is
  // Windows-1252, which differs in 0x80-0x9F).
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}
