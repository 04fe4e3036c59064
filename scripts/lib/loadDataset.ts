import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LocalRecError } from '../../src/engine/errors';
import { buildDataset } from '../../src/engine/data/buildDataset';
import type { CatalogItem } from '../../src/engine/data/catalog';
import { parseCatalogCsv, parseCatalogJson, type CatalogEntry } from '../../src/engine/data/catalogFile';
import { movieLens100kFromText } from '../../src/engine/data/datasetFromText';
import { decodeLatin1OrUtf8, decodeUtf8 } from '../../src/engine/data/encoding';
import { parseInteractionsCsv } from '../../src/engine/data/interactions';
import { joinCatalog, parseIdMap, parseMoviesDat } from '../../src/engine/data/movielens';
import { parseSasLines } from '../../src/engine/data/sasLines';
import { countTiedTimestamps, formatImportReport, looksLikeUserLines, parseUserLines, type ImportReport } from '../../src/engine/data/userLines';
import type { SequenceDataset } from '../../src/engine/data/types';

/** Which reader was used (see docs/DATA_FORMATS.md). */
export type DataFormat = 'sasrec-lines' | 'user-lines' | 'ml-1m-sas' | 'ml-100k' | 'interactions-csv';

export interface LoadedData {
  dataset: SequenceDataset;
  catalog: CatalogItem[] | null;
  format: DataFormat;
  /** What reading did: rows read and dropped, users and items kept, ties, id mapping. */
  report: ImportReport;
}

export interface LoadOptions {
  /** Catalog file (`.json`, else CSV) for an interactions CSV. */
  catalog?: string;
  /** Interactions whose item is not in the catalog: 'error' (default) or 'skip' with a warning. */
  unknownItems?: 'error' | 'skip';
  /** Receives warnings (skipped rows); default: stderr. */
  onWarning?: (message: string) => void;
  /** Force a layout instead of detecting it ('auto', the default, detects). */
  format?: DataFormat | 'auto';
  /** Receives the import report's lines; default: none. */
  onReport?: (line: string) => void;
}

function bytes(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads a generic catalog: JSON when the name ends in .json, else CSV. */
export function readCatalogFile(file: string): CatalogEntry[] {
  if (!existsSync(file)) {
    throw new LocalRecError('INVALID_INPUT', `Catalog file "${file}" does not exist. Pass a catalog CSV or JSON with --catalog.`);
  }
  const text = decodeUtf8(bytes(file), file);
  return file.toLowerCase().endsWith('.json') ? parseCatalogJson(text, file) : parseCatalogCsv(text, file);
}

function loadMl100k(dir: string, opts: LoadOptions): LoadedData {
  const dataFile = join(dir, 'u.data');
  const itemFile = join(dir, 'u.item');
  const uItem = existsSync(itemFile) ? decodeLatin1OrUtf8(bytes(itemFile)) : null;
  const { dataset, catalog } = movieLens100kFromText(readFileSync(dataFile, 'utf8'), uItem, { ...opts, dataFile, itemFile });
  return { dataset, catalog, format: 'ml-100k', report: plainReport(dataset, dataset.sequences.reduce((a, q) => a + q.length, 0), 'MovieLens item ids -> dense ids 1..N') };
}

function loadCsv(file: string, catalogFile: string | undefined, opts: LoadOptions): LoadedData {
  const interactions = parseInteractionsCsv(decodeUtf8(bytes(file), file), file);
  const entries = catalogFile ? readCatalogFile(catalogFile) : null;
  const { dataset, catalog } = buildDataset(interactions, entries, file, opts);
  const idMapping = `${dataset.numItems} item ids -> dense ids 1..${dataset.numItems} (${entries ? 'catalog order' : 'natural id order'}); users in natural id order; each history sorted by time, ties kept in file order`;
  return { dataset, catalog, format: 'interactions-csv', report: plainReport(dataset, interactions.length, idMapping) };
}

/**
 * Loads a dataset from a file or folder, detecting the format (docs/DATA_FORMATS.md):
 * - a folder with `ml-1m_sas.txt` (+ `sas_to_original_items.txt` and `movies.dat` for the catalog);
 * - a folder with MovieLens-100K `u.data` (+ `u.item`), or the `u.data` file itself;
 * - a folder with `interactions.csv` (+ `catalog.json` or `catalog.csv`);
 * - a `.csv` interactions file (`user,item,timestamp[,rating]`), catalog from `opts.catalog`;
 * - any other file: one line per user `<user> <item> <item> …` when a line has more than two
 *   fields (or `format: 'user-lines'`), else SASRec `user item` lines.
 *
 * @example
 * const { dataset, catalog } = loadDataset('my-data/interactions.csv', { catalog: 'my-data/items.csv' });
 */
export function loadDataset(path: string, opts: LoadOptions = {}): LoadedData {
  const loaded = readData(path, opts);
  if (opts.onReport) for (const line of formatImportReport(loaded.report, loaded.format)) opts.onReport(line);
  return loaded;
}

/** A report for readers that drop nothing themselves. */
function plainReport(dataset: SequenceDataset, rowsRead: number, idMapping: string): ImportReport {
  const interactions = dataset.sequences.reduce((a, q) => a + q.length, 0);
  const dropped: Record<string, number> = rowsRead > interactions ? { 'item not in the catalog': rowsRead - interactions } : {};
  return {
    rowsRead, dropped, users: dataset.sequences.length, items: dataset.numItems, interactions,
    tiedTimestamps: dataset.times ? countTiedTimestamps(dataset.times) : null, idMapping,
  };
}

function readLines(path: string, format: DataFormat | 'auto'): LoadedData {
  const text = readFileSync(path, 'utf8');
  if (format === 'user-lines' || (format === 'auto' && looksLikeUserLines(text))) {
    const { dataset, report } = parseUserLines(text, path);
    return { dataset, catalog: null, format: 'user-lines', report };
  }
  const dataset = parseSasLines(text, path);
  return { dataset, catalog: null, format: 'sasrec-lines', report: plainReport(dataset, dataset.sequences.reduce((a, q) => a + q.length, 0), 'item ids 1..N used as given (SASRec numbering)') };
}

function readData(path: string, opts: LoadOptions): LoadedData {
  const o: LoadOptions = { onWarning: (m) => process.stderr.write(`warning: ${m}\n`), ...opts };
  const format = opts.format ?? 'auto';
  if (!existsSync(path)) {
    throw new LocalRecError('INVALID_INPUT', `Data path "${path}" does not exist. Pass a data file or a dataset folder with --data.`);
  }
  if (statSync(path).isDirectory()) {
    const sas = join(path, 'ml-1m_sas.txt');
    if (existsSync(sas)) {
      const dataset = parseSasLines(readFileSync(sas, 'utf8'), sas);
      const mapFile = join(path, 'sas_to_original_items.txt');
      const moviesFile = join(path, 'movies.dat');
      let catalog: CatalogItem[] | null = null;
      if (existsSync(mapFile) && existsSync(moviesFile)) {
        const movies = parseMoviesDat(decodeLatin1OrUtf8(bytes(moviesFile)), moviesFile);
        catalog = joinCatalog(dataset.numItems, parseIdMap(readFileSync(mapFile, 'utf8'), mapFile), movies, mapFile);
      }
      return { dataset, catalog, format: 'ml-1m-sas', report: plainReport(dataset, dataset.sequences.reduce((a, q) => a + q.length, 0), 'item ids 1..N used as given (SASRec numbering)') };
    }
    if (existsSync(join(path, 'u.data'))) return loadMl100k(path, o);
    const csv = join(path, 'interactions.csv');
    if (existsSync(csv)) {
      const cat = o.catalog ?? [join(path, 'catalog.json'), join(path, 'catalog.csv')].find((f) => existsSync(f));
      return loadCsv(csv, cat, o);
    }
    throw new LocalRecError('INVALID_INPUT',
      `Folder "${path}" holds no known dataset (expected ml-1m_sas.txt, u.data or interactions.csv). See docs/DATA_FORMATS.md.`);
  }
  if (basename(path) === 'u.data') return loadMl100k(dirname(path), o);
  if (path.toLowerCase().endsWith('.csv')) return loadCsv(path, o.catalog, o);
  if (o.catalog) {
    throw new LocalRecError('INVALID_INPUT', `--catalog only applies to an interactions .csv file, not "${path}". See docs/DATA_FORMATS.md.`);
  }
  return readLines(path, format);
}
