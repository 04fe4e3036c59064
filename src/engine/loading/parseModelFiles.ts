import { ModelLoadError } from '../errors';
import { decodeModel, validateModelJson } from '../model/modelFormat';
import type { SasRec } from '../model/sasrec';
import type { CatalogEntry } from '../recommender/types';
import type { ModelManifest } from './manifest';

function parseJson(file: string, bytes: ArrayBuffer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelLoadError('MODEL_FORMAT', `${file} is not valid JSON. Re-export the model folder.`);
  }
}

/** catalog.json = {"items":[{id, externalId, title, year, genres, popularity}]}, ids 1..n, each once. */
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
    return {
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

/** Rebuilds the SasRec model from model.json and its weight shards (in manifest order). */
export function parseModel(files: Map<string, ArrayBuffer>): SasRec {
  const jsonBytes = files.get('model.json');
  if (!jsonBytes) throw new ModelLoadError('MODEL_LOAD_FAILED', 'model.json is missing from the model folder.');
  const json = validateModelJson(parseJson('model.json', jsonBytes), 'model.json');
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const parts = paths.map((p) => {
    const b = files.get(p);
    if (!b) throw new ModelLoadError('MODEL_LOAD_FAILED', `Weight shard "${p}" named in model.json is not in the model folder's manifest.`);
    return new Uint8Array(b);
  });
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { all.set(p, off); off += p.byteLength; }
  try {
    return decodeModel(json, all.buffer);
  } catch (err) {
    throw new ModelLoadError('MODEL_FORMAT', err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Identifies the pretrained weights: checkpoints trained from other weights are not applied. */
export function modelIdOf(manifest: ModelManifest): string {
  const part = (p: string) => manifest.files.find((f) => f.path === p)?.sha256.slice(0, 12) ?? 'none';
  const bins = manifest.files.filter((f) => f.path.endsWith('.bin')).map((f) => f.sha256.slice(0, 12)).join('+');
  return `${manifest.name}@${part('model.json')}-${bins}`;
}
