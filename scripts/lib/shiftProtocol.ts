/**
 * Protocol `shift` of eval:ondevice: a model pretrained on one population (ML-1M, 2000-2003)
 * serves people of another (ML-100K, 1997-98). The two catalogs are joined by title and year;
 * the people's data is carried into the model's item ids and items without a counterpart are
 * dropped (and never ranked).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem } from '../../src/engine/data/catalog';
import { joinCatalogs } from '../../src/engine/data/catalogJoin';
import type { SequenceDataset } from '../../src/engine/data/types';

/** What the join kept: the numbers the report states. */
export interface ShiftJoin {
  ml100kItems: number;
  joined: number;
  /** Joined with a year off by one (a subset of `joined`). */
  yearOffByOne: number;
  ambiguous: number;
  ratingsTotal: number;
  ratingsKept: number;
  /** Model items with no counterpart among the people's items (never ranked). */
  modelItemsWithoutCounterpart: number;
}

export interface ShiftData {
  /** The people's data in the model's item ids (items that did not join dropped). */
  dataset: SequenceDataset;
  /**
   * The same interactions in the people's own item ids, and their items that did not join (for
   * a reference model trained on the people's own catalog: same people, items and candidates).
   */
  ownIds: { dataset: SequenceDataset; excluded: Set<number> };
  join: ShiftJoin;
  /** Model item ids no person could have: left out of every ranking. */
  excluded: Set<number>;
}

/**
 * Carries `people` (their own item ids and catalog) into the model's item ids through the title
 * and year join of the two catalogs. Order, ratings and times are kept for the joined items.
 */
export function shiftDataset(people: SequenceDataset, peopleCatalog: readonly CatalogItem[], modelCatalog: readonly CatalogItem[], modelNumItems: number): ShiftData {
  const j = joinCatalogs(
    peopleCatalog.map((c) => ({ id: String(c.id), title: c.title, year: c.year })),
    modelCatalog.map((c) => ({ id: String(c.id), title: c.title, year: c.year })),
  );
  const toModel = new Int32Array(people.numItems + 1);
  for (const [from, to] of j.map) toModel[Number(from)] = Number(to);
  let total = 0, kept = 0;
  const sequences: Int32Array[] = [], ratings: Float32Array[] = [], times: Float64Array[] = [], own: Int32Array[] = [];
  people.sequences.forEach((s, u) => {
    const keep: number[] = [];
    s.forEach((item, k) => { if (toModel[item] > 0) keep.push(k); });
    total += s.length;
    kept += keep.length;
    sequences.push(Int32Array.from(keep, (k) => toModel[s[k]]));
    own.push(Int32Array.from(keep, (k) => s[k]));
    if (people.ratings) ratings.push(Float32Array.from(keep, (k) => (people.ratings as Float32Array[])[u][k]));
    if (people.times) times.push(Float64Array.from(keep, (k) => (people.times as Float64Array[])[u][k]));
  });
  const reachable = new Set(j.map.values());
  const excluded = new Set<number>();
  for (let i = 1; i <= modelNumItems; i++) if (!reachable.has(String(i))) excluded.add(i);
  const dataset: SequenceDataset = {
    source: `${people.source} (joined to the model's catalog)`,
    numItems: modelNumItems,
    userIds: people.userIds,
    sequences,
    itemIds: ['', ...Array.from({ length: modelNumItems }, (_, i) => String(i + 1))],
    ...(people.ratings ? { ratings } : {}),
    ...(people.times ? { times } : {}),
  };
  const ownExcluded = new Set<number>();
  for (let i = 1; i <= people.numItems; i++) if (toModel[i] === 0) ownExcluded.add(i);
  return {
    dataset,
    excluded,
    ownIds: { dataset: { ...dataset, numItems: people.numItems, itemIds: people.itemIds, sequences: own }, excluded: ownExcluded },
    join: {
      ml100kItems: peopleCatalog.length, joined: j.map.size, yearOffByOne: j.yearOffByOne, ambiguous: j.ambiguous.length,
      ratingsTotal: total, ratingsKept: kept, modelItemsWithoutCounterpart: excluded.size,
    },
  };
}

/**
 * Writes the joined data as a generic data folder (`interactions.csv` + `catalog.json` with the
 * model's items in id order, so dense ids are the model's), which `npm run pretrain` reads: the
 * upper reference is pretrained from it on the people not evaluated.
 */
export function writeShiftFolder(dir: string, data: SequenceDataset, modelCatalog: readonly CatalogItem[]): void {
  mkdirSync(dir, { recursive: true });
  const rows = ['user,item,timestamp,rating'];
  data.sequences.forEach((s, u) => {
    s.forEach((item, k) => {
      const t = data.times ? data.times[u][k] : k;
      const r = data.ratings ? data.ratings[u][k] : '';
      rows.push(`${data.userIds[u]},${item},${t},${r}`);
    });
  });
  writeFileSync(join(dir, 'interactions.csv'), rows.join('\n') + '\n');
  const items = [...modelCatalog].sort((a, b) => a.id - b.id).map((c) => ({ id: String(c.id), title: c.title, year: c.year, genres: c.genres }));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(items));
}
