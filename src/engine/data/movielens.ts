import { ParseError } from '../errors';
import { splitTitleYear, type CatalogItem } from './catalog';

interface Movie {
  title: string;
  year: number | null;
  genres: string[];
}

/** Parses MovieLens-1M `movies.dat` (`MovieID::Title::Genres`; decode the bytes as Latin-1 first). */
export function parseMoviesDat(text: string, file: string): Map<string, Movie> {
  const movies = new Map<string, Movie>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const parts = raw.split('::');
    if (parts.length !== 3) {
      throw new ParseError(file, i + 1, `expected 3 fields "MovieID::Title::Genres", found ${parts.length}`,
        'Is this MovieLens-1M movies.dat?');
    }
    if (!/^\d+$/.test(parts[0])) throw new ParseError(file, i + 1, `MovieID "${parts[0]}" is not a number`);
    const { title, year } = splitTitleYear(parts[1]);
    movies.set(parts[0], { title, year, genres: parts[2].split('|').filter(Boolean) });
  }
  return movies;
}

/** Item id -> original id, remembering the line each entry came from (for error messages). */
export class IdMap extends Map<number, string> {
  /** 1-based line of each item id's entry. */
  readonly lineOf = new Map<number, number>();
  /** Number of lines in the file (blank ones included, a final newline not counted). */
  lineCount = 0;
}

/** Parses `sas_to_original_items.txt` (`<sasrec item id> <MovieID>` per line). */
export function parseIdMap(text: string, file: string): IdMap {
  const map = new IdMap();
  const lines = text.split('\n');
  map.lineCount = lines.length - (text.endsWith('\n') ? 1 : 0);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const parts = raw.split(/\s+/);
    const id = Number(parts[0]);
    if (parts.length !== 2 || !Number.isInteger(id) || id <= 0) {
      throw new ParseError(file, i + 1, `expected "<item id> <original id>", got "${raw.slice(0, 60)}"`);
    }
    const previous = map.lineOf.get(id);
    if (previous !== undefined) {
      throw new ParseError(file, i + 1, `item ${id} is mapped a second time (first on line ${previous})`, 'Each item id must appear once');
    }
    map.set(id, parts[1]);
    map.lineOf.set(id, i + 1);
  }
  return map;
}

/**
 * Catalog of dense items 1..numItems, joined through the id map with movies.dat. `file` is the
 * id map's name; errors point at the id map line involved (or its end, for a missing entry).
 */
export function joinCatalog(numItems: number, idMap: Map<number, string>, movies: Map<string, Movie>, file: string): CatalogItem[] {
  const lineOf = idMap instanceof IdMap ? idMap.lineOf : null;
  const endLine = idMap instanceof IdMap ? Math.max(1, idMap.lineCount) : 1;
  const items: CatalogItem[] = [];
  for (let id = 1; id <= numItems; id++) {
    const ext = idMap.get(id);
    if (ext === undefined) {
      throw new ParseError(file, endLine, `item ${id} has no entry in the id map (the data has ${numItems} items, the map ${idMap.size})`,
        'Use the id map that belongs to this data file');
    }
    const m = movies.get(ext);
    if (!m) throw new ParseError(file, lineOf?.get(id) ?? endLine, `MovieID ${ext} (item ${id}) is not in movies.dat`, 'Use the movies.dat of the same MovieLens release');
    items.push({ id, externalId: ext, title: m.title, year: m.year, genres: m.genres });
  }
  return items;
}
