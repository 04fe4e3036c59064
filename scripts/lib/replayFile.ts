import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SasRec } from '../../src/engine/model/sasrec';
import { generateReplay, validateReplay, type ReplayFile } from '../../src/engine/train/replay';

export interface ReplayFileOptions {
  count: number;
  length: number;
  seed: number;
  topK: number;
}

export const DEFAULT_REPLAY_FILE: ReplayFileOptions = { count: 32, length: 30, seed: 1, topK: 50 };

/**
 * Samples replay exemplars from `model` and writes `<dir>/replay.json`. First items follow the
 * popularity in `<dir>/catalog.json` when it is there, else a uniform draw.
 */
export async function writeReplayFile(dir: string, model: SasRec, o: ReplayFileOptions = DEFAULT_REPLAY_FILE): Promise<ReplayFile> {
  let firstItemWeights: Float32Array | undefined;
  if (existsSync(join(dir, 'catalog.json'))) {
    const items = (JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8')) as { items: { id: number; popularity?: number }[] }).items;
    firstItemWeights = new Float32Array(model.config.numItems + 1);
    for (const it of items) if (it.id <= model.config.numItems) firstItemWeights[it.id] = it.popularity ?? 0;
  }
  const sequences = await generateReplay(model, { ...o, firstItemWeights });
  const file: ReplayFile = {
    format: 'localrec-replay',
    version: 1,
    method: `sampled from this model: ${o.count} sequences of ${o.length} items, first item by ${firstItemWeights ? 'popularity' : 'uniform draw'}, then softmax over the top ${o.topK || 'all'} unseen items, seed ${o.seed}`,
    sequences,
  };
  writeFileSync(join(dir, 'replay.json'), JSON.stringify(file) + '\n');
  return file;
}

/** The replay exemplars of a model folder (`<dir>/replay.json`, checked), or none when it has no file. */
export function readReplayFile(dir: string, numItems: number): number[][] {
  const file = join(dir, 'replay.json');
  return existsSync(file) ? validateReplay(JSON.parse(readFileSync(file, 'utf8')), numItems, file) : [];
}
