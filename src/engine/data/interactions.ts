import { ParseError } from '../errors';
import { parseCsv } from './csv';

/** One raw interaction as read from a file, before items get dense ids. */
export interface Interaction {
  user: string;
  item: string;
  /** Seconds since the Unix epoch. */
  time: number;
  /** Explicit rating, or null when the data has none. */
  rating: number | null;
  /** 1-based line in the source file (for error messages further on). */
  line: number;
}

const COLUMN_NAMES: Record<string, 'user' | 'item' | 'timestamp' | 'rating'> = {
  user: 'user', user_id: 'user', userid: 'user',
  item: 'item', item_id: 'item', itemid: 'item',
  timestamp: 'timestamp', time: 'timestamp', date: 'timestamp',
  rating: 'rating',
};

/** Unix times above this are taken as milliseconds (1e11 s is the year 5138). */
const MS_THRESHOLD = 1e11;

/**
 * Parses a timestamp field into seconds since the epoch: a number (Unix seconds, or milliseconds
 * when larger than 1e11) or an ISO-8601 date (`2024-05-01`, `2024-05-01T12:30:00Z`). Returns
 * null when the text is neither.
 */
export function parseTimestamp(raw: string): number | null {
  if (/^[+-]?\d+(\.\d+)?$/.test(raw)) {
    const v = Number(raw);
    return Math.abs(v) > MS_THRESHOLD ? v / 1000 : v;
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) {
    // A date or a time without zone is read as UTC so results do not depend on the machine.
    const iso = /[T ]\d{2}:\d{2}/.test(raw) && !/(Z|[+-]\d{2}:?\d{2})$/.test(raw) ? `${raw.replace(' ', 'T')}Z` : raw.replace(' ', 'T');
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? null : ms / 1000;
  }
  return null;
}

/**
 * Parses the generic interactions CSV: `user,item,timestamp[,rating]` per line (see
 * docs/DATA_FORMATS.md). A header naming the columns is optional; with one, the columns may come
 * in any order. Users and items are free-form strings; the rating column, when present, may be
 * empty on some rows.
 *
 * @example
 * parseInteractionsCsv('user,item,timestamp\nu1,i9,1700000000\n', 'mine.csv');
 */
export function parseInteractionsCsv(text: string, file: string): Interaction[] {
  const rows = parseCsv(text, file);
  if (rows.length === 0) {
    throw new ParseError(file, 1, 'the file holds no interactions',
      'Expected lines "user,item,timestamp[,rating]"; check that you passed the right file');
  }
  let order: ('user' | 'item' | 'timestamp' | 'rating')[] = ['user', 'item', 'timestamp', 'rating'];
  let start = 0;
  const first = rows[0].fields.map((f) => f.toLowerCase());
  if (first.some((f) => f in COLUMN_NAMES) && parseTimestamp(rows[0].fields[2] ?? '') === null) {
    const named = first.map((f, c) => {
      const name = COLUMN_NAMES[f];
      if (!name) {
        throw new ParseError(file, rows[0].line, `unknown column "${rows[0].fields[c]}" in the header`,
          'The header may only name the columns user, item, timestamp and rating');
      }
      return name;
    });
    for (const need of ['user', 'item', 'timestamp'] as const) {
      if (!named.includes(need)) {
        throw new ParseError(file, rows[0].line, `the header has no "${need}" column`, 'Columns: user,item,timestamp[,rating]');
      }
    }
    if (new Set(named).size !== named.length) throw new ParseError(file, rows[0].line, 'a column is named twice in the header');
    order = named;
    start = 1;
  }
  const width = start === 1 ? order.length : rows[0].fields.length;
  if (start === 0 && (width < 3 || width > 4)) {
    throw new ParseError(file, rows[0].line, `expected 3 or 4 columns "user,item,timestamp[,rating]", found ${width}`,
      columnHint(rows[0].fields));
  }
  if (rows.length === start) throw new ParseError(file, rows[0].line, 'the file has a header but no interactions');
  const col = (name: 'user' | 'item' | 'timestamp' | 'rating') => order.slice(0, width).indexOf(name);
  const [cu, ci, ct, cr] = [col('user'), col('item'), col('timestamp'), col('rating')];
  const out: Interaction[] = [];
  for (let r = start; r < rows.length; r++) {
    const { line, fields } = rows[r];
    if (fields.length !== width) {
      throw new ParseError(file, line, `expected ${width} columns like the ${start === 1 ? 'header' : 'first line'}, found ${fields.length}`,
        columnHint(fields));
    }
    const user = fields[cu];
    const item = fields[ci];
    if (user === '') throw new ParseError(file, line, 'the user field is empty');
    if (item === '') throw new ParseError(file, line, 'the item field is empty');
    const time = parseTimestamp(fields[ct]);
    if (time === null) {
      throw new ParseError(file, line, `timestamp "${fields[ct].slice(0, 40)}" is neither a number nor an ISO date`,
        'Use Unix seconds (1700000000), milliseconds, or an ISO date like 2024-05-01T12:30:00Z');
    }
    let rating: number | null = null;
    if (cr >= 0 && fields[cr] !== '') {
      rating = Number(fields[cr]);
      if (!Number.isFinite(rating)) {
        throw new ParseError(file, line, `rating "${fields[cr].slice(0, 40)}" is not a number`, 'Leave the field empty when there is no rating');
      }
    }
    out.push({ user, item, time, rating, line });
  }
  return out;
}

/** Suggests the usual cause of a wrong column count. */
function columnHint(fields: string[]): string {
  const joined = fields.join(',');
  if (fields.length === 1 && joined.includes('\t')) return 'The line looks tab-separated; the format is comma-separated';
  if (fields.length === 1 && joined.includes(';')) return 'The line looks semicolon-separated; the format is comma-separated';
  return 'Each line must be "user,item,timestamp[,rating]"; quote fields that contain commas';
}
