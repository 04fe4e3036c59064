import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRecError } from '../../src/engine/errors';
import type { CatalogItem } from '../../src/engine/data/catalog';
import { joinCatalog, parseIdMap, parseMoviesDat } from '../../src/engine/data/movielens';
import { parseSasLines } from '../../src/engine/data/sasLines';
import type { SequenceDataset } from '../../src/engine/data/types';

export interface LoadedData {
  dataset: SequenceDataset;
  catalog: CatalogItem[] | null;
}

/**
 * Loads a dataset from a file or folder:
 * - a folder with `ml-1m_sas.txt` (+ `sas_to_original_items.txt` and `movies.dat` for the catalog);
 * - a SASRec `user item` file.
 */
export function loadDataset(path: string): LoadedData {
  if (!existsSync(path)) {
    throw new LocalRecError('INVALID_INPUT', `Data path "${path}" does not exist. Pass a SASRec file or a dataset folder with --data.`);
  }
  if (statSync(path).isDirectory()) {
    const sas = join(path, 'ml-1m_sas.txt');
    if (existsSync(sas)) {
      const dataset = parseSasLines(readFileSync(sas, 'utf8'), sas);
      const mapFile = join(path, 'sas_to_original_items.txt');
      const moviesFile = join(path, 'movies.dat');
      let catalog: CatalogItem[] | null = null;
      if (existsSync(mapFile) && existsSync(moviesFile)) {
        const movies = parseMoviesDat(readFileSync(moviesFile, 'latin1'), moviesFile);
        catalog = joinCatalog(dataset.numItems, parseIdMap(readFileSync(mapFile, 'utf8'), mapFile), movies, mapFile);
      }
      return { dataset, catalog };
    }
    throw new LocalRecError('INVALID_INPUT', `Folder "${path}" holds no known dataset (expected ml-1m_sas.txt). See README "Data formats".`);
  }
  return { dataset: parseSasLines(readFileSync(path, 'utf8'), path), catalog: null };
}
