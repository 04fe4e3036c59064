import { readFileSync } from 'node:fs';
import { parseCatalog } from '../../src/engine/loading/parseCatalog';
import { parseModel } from '../../src/engine/loading/parseModelFiles';
import type { SasRec } from '../../src/engine/model/sasrec';
import { CatalogIndex } from '../../src/engine/rank/rankFeed';

/** A model folder under public/models read in Node for a benchmark: the model, its catalog, and its folder. */
export interface BenchModel {
  dir: string;
  model: SasRec;
  catalog: CatalogIndex;
  /** Catalog ids, most popular first. */
  byPopularity: number[];
}

/** Reads public/models/<name>/ (model.json, weights.bin, catalog.json) on the current tfjs backend. */
export function loadBenchModel(name: string): BenchModel {
  const dir = `public/models/${name}/`;
  const bytes = (f: string): ArrayBuffer => {
    const b = readFileSync(dir + f);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const model = parseModel(new Map([['model.json', bytes('model.json')], ['weights.bin', bytes('weights.bin')]]));
  const catalog = new CatalogIndex(parseCatalog(bytes('catalog.json')));
  const byPopularity = [...catalog.items].sort((a, b) => b.popularity - a.popularity).map((it) => it.id);
  return { dir, model, catalog, byPopularity };
}
