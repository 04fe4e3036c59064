import { ParseError } from '../errors';
import { splitTitleYear } from './catalog';
import { parseCsv } from './csv';

/** A catalog entry as read from a file, keyed by the external item id. */
export interface CatalogEntry {
  externalId: string;
  title: string;
  year: number | null;
  /** Genres or free tags. */
  genres: string[];
}

/** Splits one tags field on `|` (so `"Action|Comedy"` is two tags); empty parts dropped. */
function splitTags(field: string): string[] {
  return field.split('|').map((t) => t.trim()).filter(Boolean);
}

function checkDuplicate(seen: Map<string, number>, id: string, file: string, line: number): void {
  const prev = seen.get(id);
  if (prev !== undefined) {
    throw new ParseError(file, line, `item id "${id}" is already defined on line ${prev}`,
      'Each catalog id must appear once; merge or remove the duplicate');
  }
  seen.set(id, line);
}

/**
 * Parses a catalog CSV: `id,title[,tag...]` per line. Every column after the title is a tag,
 * and a tag field may hold several tags separated by `|`. A header line starting with `id` is
 * optional. A year in the title ("Heat (1995)") is split off into `year`.
 *
 * @example
 * parseCatalogCsv('id,title,tags\ni9,"Heat (1995)",Action|Crime\n', 'catalog.csv');
 */
export function parseCatalogCsv(text: string, file: string): CatalogEntry[] {
  const rows = parseCsv(text, file);
  if (rows.length === 0) throw new ParseError(file, 1, 'the catalog is empty', 'Expected lines "id,title[,tag...]"');
  const start = rows[0].fields[0].toLowerCase() === 'id' ? 1 : 0;
  if (rows.length === start) throw new ParseError(file, rows[0].line, 'the catalog has a header but no items');
  const seen = new Map<string, number>();
  const out: CatalogEntry[] = [];
  for (let r = start; r < rows.length; r++) {
    const { line, fields } = rows[r];
    if (fields.length < 2) {
      throw new ParseError(file, line, `expected at least 2 columns "id,title[,tag...]", found ${fields.length}`,
        fields[0].includes('\t') ? 'The line looks tab-separated; the format is comma-separated' : 'Quote titles that contain commas');
    }
    const id = fields[0];
    if (id === '') throw new ParseError(file, line, 'the id field is empty');
    checkDuplicate(seen, id, file, line);
    const { title, year } = splitTitleYear(fields[1]);
    out.push({ externalId: id, title, year, genres: fields.slice(2).flatMap(splitTags) });
  }
  return out;
}

/**
 * Parses a catalog JSON: an array of `{id, title, year?, tags? | genres?}` objects, or an object
 * `{items: [...]}` (the `catalog.json` a model folder ships). Ids may be strings or numbers; for
 * a shipped catalog the original id is `externalId` and is preferred over the dense `id`.
 */
export function parseCatalogJson(text: string, file: string): CatalogEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : 0;
    throw new ParseError(file, line, `not valid JSON (${(e as Error).message})`, 'Fix the JSON syntax or use the CSV catalog format');
  }
  const items = Array.isArray(data) ? data : (data as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    throw new ParseError(file, 1, 'expected an array of items or an object with an "items" array');
  }
  if (items.length === 0) throw new ParseError(file, 1, 'the catalog is empty');
  const seen = new Map<string, number>();
  return items.map((raw: unknown, k) => {
    const where = `item #${k + 1}`;
    if (typeof raw !== 'object' || raw === null) throw new ParseError(file, 0, `${where} is not an object`);
    const o = raw as Record<string, unknown>;
    const idValue = o.externalId ?? o.id;
    if (typeof idValue !== 'string' && typeof idValue !== 'number') {
      throw new ParseError(file, 0, `${where} has no "id" (string or number)`);
    }
    const id = String(idValue);
    if (seen.has(id)) {
      throw new ParseError(file, 0, `item id "${id}" appears twice (${where} and item #${seen.get(id)})`,
        'Each catalog id must appear once');
    }
    seen.set(id, k + 1);
    if (typeof o.title !== 'string') throw new ParseError(file, 0, `${where} (id "${id}") has no "title" string`);
    const tags = o.tags ?? o.genres ?? [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
      throw new ParseError(file, 0, `${where} (id "${id}"): "tags" must be an array of strings`);
    }
    let year: number | null;
    let title = o.title;
    if (typeof o.year === 'number') year = o.year;
    else ({ title, year } = splitTitleYear(o.title));
    return { externalId: id, title, year, genres: tags as string[] };
  });
}
