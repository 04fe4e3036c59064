import { buildDataset, type BuildOptions, type BuiltDataset } from './buildDataset';
import { parseCatalogCsv, parseCatalogJson } from './catalogFile';
import { parseInteractionsCsv } from './interactions';
import { parseUData, parseUItem } from './movielens100k';

/**
 * MovieLens-100K from the texts of `u.data` and (optionally) `u.item` — decode u.item's bytes
 * with `decodeLatin1OrUtf8`. Works wherever the texts come from (fs in Node, fetch in a page).
 */
export function movieLens100kFromText(uData: string, uItem: string | null, opts: BuildOptions & { dataFile?: string; itemFile?: string } = {}): BuiltDataset {
  const dataFile = opts.dataFile ?? 'u.data';
  const entries = uItem === null ? null : parseUItem(uItem, opts.itemFile ?? 'u.item');
  return buildDataset(parseUData(uData, dataFile), entries, dataFile, opts);
}

/** A catalog file's text and how to read it. */
export interface CatalogText {
  text: string;
  format: 'csv' | 'json';
  file?: string;
}

/**
 * The generic format (docs/DATA_FORMATS.md) from the text of an interactions CSV and,
 * optionally, a catalog CSV or JSON.
 *
 * @example
 * const { dataset, catalog } = interactionsFromText(csvText, { text: jsonText, format: 'json' }, { file: 'mine.csv' });
 */
export function interactionsFromText(csv: string, catalog: CatalogText | null, opts: BuildOptions & { file?: string } = {}): BuiltDataset {
  const file = opts.file ?? 'interactions.csv';
  let entries = null;
  if (catalog) {
    const cf = catalog.file ?? `catalog.${catalog.format}`;
    entries = catalog.format === 'json' ? parseCatalogJson(catalog.text, cf) : parseCatalogCsv(catalog.text, cf);
  }
  return buildDataset(parseInteractionsCsv(csv, file), entries, file, opts);
}
