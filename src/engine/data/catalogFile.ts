import { ParseError } from '../errors';
import { splitTitleYear } from './catalog';
import { IMAGE_RULE, imagePathProblem, itemUrlProblem, labelFromId } from './catalogLinks';
import { parseCsv } from './csv';

/** A catalog entry as read from a file, keyed by the external item id. */
export interface CatalogEntry {
  externalId: string;
  title: string;
  year: number | null;
  /** Genres or free tags. */
  genres: string[];
  /** Relative path of the item's picture inside the site folder. */
  image?: string;
  /** The item's page, opened only on the person's click. */
  url?: string;
}

/** Header names with a meaning; every other named column holds tags. */
type Column = 'id' | 'title' | 'year' | 'image' | 'url' | 'tags';
const COLUMN_ALIASES: Record<string, Column> = { id: 'id', title: 'title', name: 'title', year: 'year', image: 'image', url: 'url', link: 'url' };

/** Validated optional image and url of one item (ParseError naming the line when refused). */
function links(file: string, line: number, id: string, image: string | undefined, url: string | undefined): Pick<CatalogEntry, 'image' | 'url'> {
  const out: Pick<CatalogEntry, 'image' | 'url'> = {};
  if (image !== undefined && image.trim() !== '') {
    const problem = imagePathProblem(image);
    if (problem) throw new ParseError(file, line, `item "${id}": image ${problem}`, `Refused because ${IMAGE_RULE}`);
    out.image = image.trim();
  }
  if (url !== undefined && url.trim() !== '') {
    const problem = itemUrlProblem(url);
    if (problem) throw new ParseError(file, line, `item "${id}": url ${problem}`, 'Give the full address of the item\'s page, e.g. https://example.org/items/42');
    out.url = url.trim();
  }
  return out;
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
 * Parses a catalog CSV. Without a header: `id[,title[,tag...]]` per line. With a header line
 * (first field `id`), columns are found by name: `id`, `title` (or `name`), `year`, `image` (a
 * relative path inside the site folder), `url` (`link`); every other column holds tags. A tag
 * field may hold several tags separated by `|`. A year in the title ("Heat (1995)") is split off.
 * Without a title the label is made from the id.
 *
 * @example
 * parseCatalogCsv('id,title,tags,image\ni9,"Heat (1995)",Action|Crime,images/i9.jpg\n', 'catalog.csv');
 */
export function parseCatalogCsv(text: string, file: string): CatalogEntry[] {
  const rows = parseCsv(text, file);
  if (rows.length === 0) throw new ParseError(file, 1, 'the catalog is empty', 'Expected lines "id[,title[,tag...]]"');
  const hasHeader = rows[0].fields[0].trim().toLowerCase() === 'id';
  const columns: Column[] = hasHeader
    ? rows[0].fields.map((f) => COLUMN_ALIASES[f.trim().toLowerCase()] ?? 'tags')
    : [];
  if (hasHeader) {
    for (const name of ['id', 'title', 'year', 'image', 'url'] as const) {
      if (columns.filter((c) => c === name).length > 1) throw new ParseError(file, rows[0].line, `the header names the ${name} column twice`);
    }
  }
  const start = hasHeader ? 1 : 0;
  if (rows.length === start) throw new ParseError(file, rows[0].line, 'the catalog has a header but no items');
  const seen = new Map<string, number>();
  const out: CatalogEntry[] = [];
  for (let r = start; r < rows.length; r++) {
    const { line, fields } = rows[r];
    if (fields.length === 1 && fields[0].includes('\t')) {
      throw new ParseError(file, line, 'found 1 column', 'The line looks tab-separated; the format is comma-separated');
    }
    const named = (c: Column) => (hasHeader ? fields[columns.indexOf(c)] : undefined);
    const id = fields[0].trim();
    if (id === '') throw new ParseError(file, line, 'the id field is empty');
    checkDuplicate(seen, id, file, line);
    const rawTitle = hasHeader ? named('title') : fields[1];
    // Fields past the header's last column are tags too ("id,title,tags" then "m3,X,Drama,Indie").
    const tagFields = hasHeader ? fields.filter((_, c) => (columns[c] ?? 'tags') === 'tags') : fields.slice(2);
    const split = rawTitle !== undefined && rawTitle.trim() !== '' ? splitTitleYear(rawTitle) : { title: labelFromId(id), year: null };
    const yearField = named('year')?.trim();
    const year = yearField && /^\d{1,4}$/.test(yearField) ? Number(yearField) : split.year;
    out.push({ externalId: id, title: split.title, year, genres: tagFields.flatMap(splitTags), ...links(file, line, id, named('image'), named('url')) });
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
    if (o.title !== undefined && typeof o.title !== 'string') throw new ParseError(file, 0, `${where} (id "${id}"): "title" must be a string`);
    const rawTitle = typeof o.title === 'string' && o.title.trim() !== '' ? o.title : labelFromId(id);
    for (const key of ['image', 'url'] as const) {
      if (o[key] !== undefined && o[key] !== null && typeof o[key] !== 'string') throw new ParseError(file, 0, `${where} (id "${id}"): "${key}" must be a string`);
    }
    const tags = o.tags ?? o.genres ?? [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
      throw new ParseError(file, 0, `${where} (id "${id}"): "tags" must be an array of strings`);
    }
    let year: number | null;
    let title = rawTitle;
    if (typeof o.year === 'number') year = o.year;
    else ({ title, year } = splitTitleYear(rawTitle));
    return { externalId: id, title, year, genres: tags as string[], ...links(file, 0, id, o.image as string | undefined, o.url as string | undefined) };
  });
}
