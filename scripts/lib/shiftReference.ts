/**
 * The upper reference of protocol `shift`: a model pretrained on the *other* people of the new
 * population over the joined items, scored on the same people, items and rankings as the shipped
 * model. Trained once (timed) into a folder and reused when the folder says it was trained on the
 * same people.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem } from '../../src/engine/data/catalog';
import type { SequenceDataset } from '../../src/engine/data/types';
import { LocalRecError } from '../../src/engine/errors';
import { evaluateOnDevice } from '../../src/engine/eval/onDeviceEval';
import { resolvePolicy, type FinetunePolicy } from '../../src/engine/train/finetunePolicy';
import { loadModelFiles } from './modelFiles';
import { runPretraining } from './runPretraining';
import { writeShiftFolder } from './shiftProtocol';

export interface ShiftReferenceInput {
  /** The reference model folder (trained here when missing and `minutes` is given). */
  dir: string;
  minutes?: number;
  /** The other people, in the model's item ids. */
  train: SequenceDataset;
  modelCatalog: readonly CatalogItem[];
  dataset: SequenceDataset;
  people: number[];
  excluded?: Set<number>;
  prior: Float32Array;
  policy: FinetunePolicy;
  seed: number;
  say: (m: string) => void;
}

export interface ShiftReference {
  dir: string;
  trainPeople: number;
  trainMinutes: number | null;
  ndcg10: number;
  hr10: number;
}

const SIDECAR = 'shift-reference.json';

/** Trains (when needed) and scores the upper reference. */
export async function shiftReference(o: ShiftReferenceInput): Promise<ShiftReference> {
  const sidecar = join(o.dir, SIDECAR);
  const trainPeople = o.train.sequences.length;
  let minutes: number | null = null;
  if (existsSync(join(o.dir, 'model.json'))) {
    const info = existsSync(sidecar) ? (JSON.parse(readFileSync(sidecar, 'utf8')) as { trainPeople?: number; minutes?: number }) : null;
    if (info?.trainPeople !== trainPeople) {
      throw new LocalRecError('INVALID_INPUT', `${o.dir} was not trained for this shift split (${SIDECAR} says ${info?.trainPeople ?? 'nothing'} people, this run has ${trainPeople}). Pass another --reference-model folder.`);
    }
    minutes = info.minutes ?? null;
  } else {
    if (o.minutes === undefined || !(o.minutes > 0)) {
      throw new LocalRecError('INVALID_INPUT', `${o.dir} holds no model. Add --reference-minutes M to pretrain the reference there (M minutes on ${trainPeople} people).`);
    }
    const dataDir = `${o.dir}-data`;
    writeShiftFolder(dataDir, o.train, o.modelCatalog);
    o.say(`shift reference: pretraining on ${trainPeople} other people for up to ${o.minutes} min (data ${dataDir})`);
    const r = await runPretraining({ data: dataDir, out: o.dir, checkpointDir: `${o.dir}-ckpt`, maxMinutes: o.minutes, seed: o.seed }, o.say);
    if (!r.finished) throw new LocalRecError('INVALID_INPUT', `the reference pretraining stopped before exporting; resume it with npm run pretrain -- --data ${dataDir} --out ${o.dir} --checkpoint-dir ${o.dir}-ckpt --resume`);
    minutes = o.minutes;
    writeFileSync(sidecar, JSON.stringify({ trainPeople, minutes, bestValidNdcg10: r.bestValidNdcg10, bestEpoch: r.bestEpoch }, null, 2) + '\n');
  }
  const { model } = loadModelFiles(o.dir);
  try {
    if (model.config.numItems !== o.dataset.numItems) throw new LocalRecError('INVALID_INPUT', `${o.dir} has ${model.config.numItems} items, the joined data ${o.dataset.numItems}`);
    const r = await evaluateOnDevice(model, o.dataset, o.people, {
      policy: resolvePolicy({ ...o.policy, steps: 0 }), futureCount: 3, referenceCases: [], referenceProbes: 0,
      chunkSize: 10, minChunks: 20, maxChunks: 25, chunkUsers: 0, replay: [], bootstrapIterations: 10, seed: o.seed,
      parts: { future: true }, prior: o.prior, excluded: o.excluded,
    });
    return { dir: o.dir, trainPeople, trainMinutes: minutes, ndcg10: r.ndcg10.pretrained, hr10: r.hr10.pretrained };
  } finally {
    model.dispose();
  }
}

/**
 * Scores a model trained on the people's own catalog (e.g. the ML-100K held-out model, pretrained
 * on the other ML-100K people of the same seeded split) on the same people, interactions and
 * candidate films, in the people's own item ids. Refuses a model that saw these people.
 */
export async function scoreOwnReference(o: { dir: string; dataset: SequenceDataset; people: number[]; excluded: Set<number>; prior: Float32Array; policy: FinetunePolicy; seed: number; holdout: { share: number; seed: number } }): Promise<ShiftReference> {
  const run = join(o.dir, '..', 'run.json');
  const h = existsSync(run) ? (JSON.parse(readFileSync(run, 'utf8')) as { holdout?: { share: number; seed: number } | null }).holdout : null;
  if (!h || h.share !== o.holdout.share || h.seed !== o.holdout.seed) {
    throw new LocalRecError('INVALID_INPUT', `${o.dir}: its run.json must show it held out share ${o.holdout.share} seed ${o.holdout.seed} (the shift people), found ${JSON.stringify(h)}`);
  }
  const { model } = loadModelFiles(o.dir);
  try {
    if (model.config.numItems !== o.dataset.numItems) throw new LocalRecError('INVALID_INPUT', `${o.dir} has ${model.config.numItems} items, the people's catalog ${o.dataset.numItems}`);
    const r = await evaluateOnDevice(model, o.dataset, o.people, {
      policy: resolvePolicy({ ...o.policy, steps: 0 }), futureCount: 3, referenceCases: [], referenceProbes: 0,
      chunkSize: 10, minChunks: 20, maxChunks: 25, chunkUsers: 0, replay: [], bootstrapIterations: 10, seed: o.seed,
      parts: { future: true }, prior: o.prior, excluded: o.excluded,
    });
    return { dir: o.dir, trainPeople: -1, trainMinutes: null, ndcg10: r.ndcg10.pretrained, hr10: r.hr10.pretrained };
  } finally {
    model.dispose();
  }
}
