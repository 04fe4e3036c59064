import { ParseError } from '../errors';
import type { CatalogEntry } from './catalogFile';
import { splitTitleYear } from './catalog';
import type { Interaction } from './interactions';

/** The 19 genre flags of `u.item`, in column order (from `u.genre`). */
export const ML100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama',
  'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
] as const;

/** Parses MovieLens-100K `u.data`: `user \t item \t rating \t timestamp` (Unix seconds). */
export function parseUData(text: string, file: string): Interaction[] {
  const out: Interaction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const parts = raw.trim().split(/\s+/);
    if (parts.length !== 4) {
      throw new ParseError(file, i + 1, `expected 4 tab-separated fields "user item rating timestamp", found ${parts.length}`,
        'Is this MovieLens-100K u.data? Some public copies add a header or use "|"; use the original file');
    }
    const [user, item, r, t] = parts;
    if (!/^\d+$/.test(user) || !/^\d+$/.test(item)) {
      throw new ParseError(file, i + 1, `user "${user}" and item "${item}" must be positive integers`, 'Remove header or comment lines');
    }
    const rating = Number(r);
    if (!Number.isFinite(rating)) throw new ParseError(file, i + 1, `rating "${r}" is not a number`);
    if (!/^\d+$/.test(t)) throw new ParseError(file, i + 1, `timestamp "${t}" is not a Unix time in seconds`);
    out.push({ user, item, rating, time: Number(t), line: i + 1 });
  }
  if (out.length === 0) throw new ParseError(file, 1, 'no ratings found', 'The file is empty');
  return out;
}

/**
 * Parses MovieLens-100K `u.item` (`id|title|release date|video date|url|19 genre flags`; decode
 * the bytes with `decodeLatin1OrUtf8` first). Items keep their MovieLens ids as external ids.
 */
export function parseUItem(text: string, file: string): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const parts = raw.split('|');
    if (parts.length !== 5 + ML100K_GENRES.length) {
      throw new ParseError(file, i + 1, `expected ${5 + ML100K_GENRES.length} "|"-separated fields, found ${parts.length}`,
        'Is this MovieLens-100K u.item?');
    }
    const id = parts[0];
    if (!/^\d+$/.test(id)) throw new ParseError(file, i + 1, `movie id "${id}" is not a number`);
    if (seen.has(id)) throw new ParseError(file, i + 1, `movie id ${id} appears twice`);
    seen.add(id);
    const flags = parts.slice(5);
    const genres: string[] = [];
    flags.forEach((f, g) => {
      if (f !== '0' && f !== '1') throw new ParseError(file, i + 1, `genre flag ${g + 1} is "${f}", expected 0 or 1`);
      if (f === '1') genres.push(ML100K_GENRES[g]);
    });
    const { title, year: titleYear } = splitTitleYear(parts[1]);
    const dateYear = /(\d{4})$/.exec(parts[2])?.[1];
    out.push({ externalId: id, title, year: titleYear ?? (dateYear ? Number(dateYear) : null), genres });
  }
  if (out.length === 0) throw new ParseError(file, 1, 'no movies found', 'The file is empty');
  return out;
}
