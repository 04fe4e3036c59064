import { ParseError } from '../errors';

/** One CSV record: its fields and the 1-based line it starts on. */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Splits comma-separated text into records (RFC 4180: fields may be quoted with `"`, a quote
 * inside a quoted field is doubled, quoted fields may hold commas and newlines). Blank lines and
 * lines starting with `#` are skipped; surrounding spaces of unquoted fields are trimmed.
 */
export function parseCsv(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    // Skip blank and comment lines.
    if (text[i] === '\n' || text[i] === '\r') {
      if (text[i] === '\n') line++;
      i++;
      continue;
    }
    if (text[i] === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t') && text[i] !== '\n') i++;
      if (text[i] === '"') {
        i++;
        let value = '';
        for (;;) {
          if (i >= n) {
            throw new ParseError(file, startLine, 'a quoted field is never closed',
              'Close the quote, and double any quote inside a quoted field ("" for ")');
          }
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') { value += '"'; i += 2; continue; }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
        if (i < n && text[i] !== ',' && text[i] !== '\n') {
          throw new ParseError(file, line, `unexpected "${text[i]}" after a closing quote`,
            'A quoted field must be followed by a comma or the end of the line');
        }
        fields.push(value);
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n') j++;
        fields.push(text.slice(i, j).replace(/\r$/, '').trim());
        i = j;
      }
      if (i < n && text[i] === ',') { i++; continue; }
      if (i < n && text[i] === '\n') { i++; line++; }
      break;
    }
    rows.push({ line: startLine, fields });
  }
  return rows;
}
