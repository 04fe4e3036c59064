import { ModelLoadError } from '../errors';
import { IMAGE_RULE, imagePathProblem, itemUrlProblem } from '../data/catalogLinks';
import type { CatalogEntry } from '../recommender/types';

function parseJson(file: string, bytes: ArrayBuffer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelLoadError('MODEL_FORMAT', `${file} is not valid JSON. Re-export the model folder.`);
  }
}

/**
 * catalog.json = {"items":[{id, externalId, title, year, genres, popularity, image?, url?}]}, ids
 * 1..n, each once. `image` must be a relative path inside the site, `url` an http(s) link.
 */
export function parseCatalog(bytes: ArrayBuffer): CatalogEntry[] {
  const raw = parseJson('catalog.json', bytes) as { items?: unknown };
  const bad = (why: string) => new ModelLoadError('MODEL_FORMAT', `catalog.json: ${why}. Re-export the model folder.`);
  if (!raw || !Array.isArray(raw.items) || raw.items.length === 0) throw bad('"items" must be a non-empty array');
  const seen = new Set<number>();
  const items = raw.items.map((x: unknown, i: number): CatalogEntry => {
    const it = x as Record<string, unknown>;
    if (!it || !Number.isInteger(it.id) || (it.id as number) < 1) throw bad(`items[${i}].id must be an integer >= 1`);
    if (seen.has(it.id as number)) throw bad(`items[${i}].id ${String(it.id)} appears twice`);
    seen.add(it.id as number);
    if (typeof it.title !== 'string') throw bad(`items[${i}].title must be a string`);
    const genres = Array.isArray(it.genres) ? it.genres.filter((g): g is string => typeof g === 'string') : [];
    const links: Pick<CatalogEntry, 'image' | 'url'> = {};
    if (typeof it.image === 'string') {
      const problem = imagePathProblem(it.image);
      if (problem) throw bad(`items[${i}].image ${problem}; ${IMAGE_RULE}`);
      links.image = it.image;
    }
    if (typeof it.url === 'string') {
      const problem = itemUrlProblem(it.url);
      if (problem) throw bad(`items[${i}].url ${problem}`);
      links.url = it.url;
    }
    return {
      ...links,
      id: it.id as number,
      externalId: typeof it.externalId === 'string' ? it.externalId : String(it.id),
      title: it.title,
      year: typeof it.year === 'number' ? it.year : null,
      genres,
      popularity: typeof it.popularity === 'number' && it.popularity >= 0 ? it.popularity : 0,
    };
  });
  return items.sort((a, b) => a.id - b.id);
}
