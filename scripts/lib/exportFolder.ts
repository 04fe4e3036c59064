/**
 * The one exporter of a servable model folder (used by `npm run pretrain` and `npm run
 * export:model`): model.json, weights.bin, config.json, catalog.json, training.json,
 * metrics.json (test at each precision + most-popular and item-to-item on the same split),
 * replay.json, MODEL_CARD.md, and manifest.json (sha256 of each file) last.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem } from '../../src/engine/data/catalog';
import type { SequenceDataset } from '../../src/engine/data/types';
import { itemTransitionScorer, mostPopularScorer } from '../../src/engine/eval/baselines';
import { rankMetrics } from '../../src/engine/eval/metrics';
import { rankCases } from '../../src/engine/eval/protocol';
import { rankTargets } from '../../src/engine/eval/rankTargets';
import type { Scorer } from '../../src/engine/eval/scorer';
import { decodeModel, encodeModel, type WeightPrecision } from '../../src/engine/model/modelFormat';
import type { SasRec } from '../../src/engine/model/sasrec';
import { writeManifest } from './manifest';
import { renderModelCard } from './modelCard';
import { saveModelFiles } from './modelFiles';
import { writeReplayFile } from './replayFile';
import type { leaveOneOut } from './split';

export type Metrics = Record<string, number>;

/** What metrics.json holds (the model at the shipped precision first). */
export interface FolderMetrics {
  protocol: 'loo-full';
  description: string;
  dataset: string;
  users: number;
  shippedPrecision: WeightPrecision;
  metrics: Metrics & { weightBytes: number };
  byPrecision: Record<string, Metrics & { weightBytes: number }>;
  /** Baselines on the same split and cases. */
  baselines: Record<'most-popular' | 'item-to-item', Metrics>;
}

export interface ExportInput {
  model: SasRec;
  featureNames: string[];
  dataset: SequenceDataset;
  catalog: readonly CatalogItem[] | null;
  split: ReturnType<typeof leaveOneOut>;
  out: string;
  precision: WeightPrecision;
  /** Short name of the data (metrics.json, model card). */
  dataName: string;
  /** Written as training.json (with the test metrics added) when given. */
  training?: Record<string, unknown>;
  log: (line: string) => void;
}

async function baselineMetrics(scorer: Scorer, split: ExportInput['split'], numItems: number): Promise<Metrics> {
  const r = await rankCases(scorer, split.test, { numItems, topK: 10 });
  scorer.dispose?.();
  return rankMetrics(r.ranks);
}

const f4 = (x: number | undefined) => (typeof x === 'number' ? x.toFixed(4) : '–');

/** Writes the complete folder; returns metrics.json's content. */
export async function exportModelFolder(x: ExportInput): Promise<FolderMetrics> {
  const { model, split, dataset, out } = x;
  const byPrecision: FolderMetrics['byPrecision'] = {};
  for (const p of ['float32', 'float16', 'uint8'] as WeightPrecision[]) {
    const { json, weights } = await encodeModel(model, x.featureNames, p);
    const m = decodeModel(json, weights.slice().buffer);
    const metrics = rankMetrics((await rankTargets(m, split.test)).ranks);
    m.dispose();
    byPrecision[p] = { ...metrics, weightBytes: weights.byteLength };
    x.log(`test ${p}: ${weights.byteLength} bytes, NDCG@10 ${f4(metrics['NDCG@10'])} HR@10 ${f4(metrics['HR@10'])}`);
  }
  const baselines = {
    'most-popular': await baselineMetrics(mostPopularScorer(split.train, dataset.numItems), split, dataset.numItems),
    'item-to-item': await baselineMetrics(itemTransitionScorer(split.train, dataset.numItems), split, dataset.numItems),
  };
  for (const [name, m] of Object.entries(baselines)) x.log(`test ${name}: NDCG@10 ${f4(m['NDCG@10'])} HR@10 ${f4(m['HR@10'])}`);

  await saveModelFiles(out, model, x.featureNames, x.precision);
  // Popularity = number of users with the item in their training part (validation/test items left out).
  const popularity = new Array<number>(dataset.numItems + 1).fill(0);
  for (const s of split.train) for (const i of new Set(s)) popularity[i]++;
  const items = x.catalog
    ? x.catalog.map((it) => ({ ...it, popularity: popularity[it.id] }))
    // No catalog: ids only, labelled with the data's own ids.
    : Array.from({ length: dataset.numItems }, (_, k) => ({ id: k + 1, externalId: dataset.itemIds[k + 1] ?? String(k + 1), title: dataset.itemIds[k + 1] ?? String(k + 1), year: null, genres: [], popularity: popularity[k + 1] }));
  writeFileSync(join(out, 'catalog.json'), JSON.stringify({ items }));
  const metrics: FolderMetrics = {
    protocol: 'loo-full',
    description: 'Leave-one-out test: last item per user, full ranking over all items, items already in the user sequence excluded',
    dataset: x.dataName,
    users: split.test.length,
    shippedPrecision: x.precision,
    metrics: byPrecision[x.precision],
    byPrecision,
    baselines,
  };
  writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics, null, 2));
  if (x.training) writeFileSync(join(out, 'training.json'), JSON.stringify({ ...x.training, test: byPrecision.float32 }, null, 1));
  await writeReplayFile(out, model);
  writeFileSync(join(out, 'MODEL_CARD.md'), renderModelCard(out, {}));
  writeManifest(out);
  x.log(`test (${x.precision}, ${split.test.length} users, full ranking): NDCG@10 ${f4(metrics.metrics['NDCG@10'])} HR@10 ${f4(metrics.metrics['HR@10'])}; ` +
    `item-to-item ${f4(baselines['item-to-item']['NDCG@10'])} / ${f4(baselines['item-to-item']['HR@10'])}; most popular ${f4(baselines['most-popular']['NDCG@10'])} / ${f4(baselines['most-popular']['HR@10'])}`);
  x.log(`wrote ${out}: model.json, weights.bin, config.json, catalog.json, metrics.json, ${x.training ? 'training.json, ' : ''}replay.json, MODEL_CARD.md, manifest.json`);
  return metrics;
}
