/**
 * The people, data and checks of each eval:ondevice protocol (docs/ON_DEVICE.md):
 * `standard` held-out people of the model's own data, `shift` people of another population
 * (ML-100K served by the ML-1M model), `long` held-out people whose history exceeds the window.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CatalogItem } from '../../src/engine/data/catalog';
import type { SequenceDataset } from '../../src/engine/data/types';
import { splitUsers } from '../../src/engine/data/userSplit';
import type { EvalCase } from '../../src/engine/eval/rankTargets';
import { itemUserCounts } from '../../src/engine/eval/scorer';
import { LocalRecError } from '../../src/engine/errors';
import type { SasRec } from '../../src/engine/model/sasrec';
import { itemYears, type ItemYears } from '../../src/engine/rank/personYearBias';
import { popularityPrior } from '../../src/engine/rank/shortHistoryPrior';
import { Rng } from '../../src/engine/train/rng';
import { loadDataset } from './loadDataset';
import { shiftDataset, type ShiftJoin } from './shiftProtocol';

export type Protocol = 'standard' | 'shift' | 'long';
export const PROTOCOLS: readonly Protocol[] = ['standard', 'shift', 'long'];

export interface ProtocolArgs {
  data: string;
  modelDir: string;
  model: SasRec;
  holdoutShare: number;
  holdoutSeed: number;
  /** Evaluate the first this-many people of the protocol's fixed shuffle (all when undefined). */
  users?: number;
  /**
   * Skip this many people at the start of the fixed order first (default 0), so a policy chosen on
   * the first N people (`--users N`) can be checked on people it was not chosen on (`--skip-users N`).
   */
  skipUsers?: number;
  reference: number;
  seed: number;
  futureCount: number;
}

export interface ProtocolSetup {
  dataset: SequenceDataset;
  /** The people evaluated, in the protocol's fixed order. */
  people: number[];
  /** People the model (or the shift reference) may be trained on. */
  trainPeople: number[];
  referenceCases: EvalCase[];
  prior: Float32Array;
  excluded?: Set<number>;
  lengthEdges?: number[];
  join?: ShiftJoin;
  /**
   * The catalog's release years for the feed's release-year bias (the model folder's catalog.json,
   * else the data's catalog; null without years).
   */
  years: ItemYears | null;
  /** Model catalog (shift: to write the reference's data folder). */
  modelCatalog?: CatalogItem[];
  /** Shift: the joined interactions in the people's own item ids, their unjoined items, and the training people's popularity prior there. */
  ownIds?: { dataset: SequenceDataset; excluded: Set<number>; prior: Float32Array };
}

const fail = (message: string): never => { throw new LocalRecError('INVALID_INPUT', message); };

/** The pretraining run records which people it held out; refuse a model that saw them. */
export function checkHoldout(modelDir: string, share: number, seed: number, warn: (m: string) => void): void {
  for (const f of [join(modelDir, 'training.json'), join(dirname(modelDir), 'run.json')]) {
    if (!existsSync(f)) continue;
    const h = (JSON.parse(readFileSync(f, 'utf8')) as { holdout?: { share: number; seed: number } | null }).holdout;
    if (!h) fail(`${f}: this model was pretrained on every user, so held-out people are not new to it. Pretrain with --holdout-users ${share}.`);
    else if (h.share !== share || h.seed !== seed) fail(`${f}: the model held out share ${h.share} seed ${h.seed}, but this run asks for ${share} seed ${seed}. Pass the same --holdout-users/--holdout-seed.`);
    return;
  }
  warn(`no training.json or run.json next to ${modelDir}; cannot check that the held-out users were held out`);
}

/** Other people's next item (their last), the forgetting reference. */
function referenceOf(ds: SequenceDataset, users: number[], count: number, seed: number, excluded?: Set<number>): EvalCase[] {
  return new Rng(seed).shuffle(users.filter((u) => ds.sequences[u].length >= 3)).slice(0, count).map((u) => {
    const s = ds.sequences[u];
    const history = s.subarray(0, s.length - 1);
    return { history, target: s[s.length - 1], exclude: excluded?.size ? [...history, ...excluded] : history };
  });
}

export function readModelCatalog(modelDir: string): CatalogItem[] {
  const f = join(modelDir, 'catalog.json');
  if (!existsSync(f)) fail(`--protocol shift joins catalogs by title and year, and ${modelDir} has no catalog.json. Use a served model folder (e.g. public/models/ml-1m-sasrec).`);
  const items = (JSON.parse(readFileSync(f, 'utf8')) as { items?: CatalogItem[] }).items;
  if (!Array.isArray(items)) fail(`${f} has no "items" list`);
  return items as CatalogItem[];
}

/** The protocol's data and people. */
export function setupProtocol(protocol: Protocol, a: ProtocolArgs, warn: (m: string) => void): ProtocolSetup {
  const { model } = a;
  const loaded = loadDataset(a.data);
  if (protocol === 'shift') {
    const modelCatalog = readModelCatalog(a.modelDir);
    if (!loaded.catalog) fail(`--protocol shift needs the people's catalog (titles and years): ${a.data} has none (for ML-100K, u.item)`);
    const s = shiftDataset(loaded.dataset, loaded.catalog as CatalogItem[], modelCatalog, model.config.numItems);
    const split = splitUsers(s.dataset.sequences.length, a.holdoutShare, a.holdoutSeed);
    const order = new Rng(a.holdoutSeed).shuffle(split.heldOutUsers.slice());
    const people = pick(order, a);
    // The feed's popularity prior comes from the model's own catalog, as in the app.
    const counts = new Float32Array(model.config.numItems + 1);
    for (const c of modelCatalog as (CatalogItem & { popularity?: number })[]) if (c.id <= model.config.numItems) counts[c.id] = c.popularity ?? 0;
    return {
      dataset: s.dataset, people, trainPeople: split.trainUsers, excluded: s.excluded, join: s.join, modelCatalog,
      years: itemYears(modelCatalog, model.config.numItems, s.excluded),
      ownIds: { ...s.ownIds, prior: popularityPrior(itemUserCounts(split.trainUsers.map((u) => s.ownIds.dataset.sequences[u]), s.ownIds.dataset.numItems)) },
      referenceCases: referenceOf(s.dataset, split.trainUsers, a.reference, a.seed, s.excluded),
      prior: popularityPrior(counts),
    };
  }
  const dataset = loaded.dataset;
  if (!dataset.ratings) warn('the data has no ratings; every interaction counts as a view and there are no dislikes');
  if (model.config.numItems !== dataset.numItems) fail(`the model has ${model.config.numItems} items but the data has ${dataset.numItems}: wrong --data?`);
  checkHoldout(a.modelDir, a.holdoutShare, a.holdoutSeed, warn);
  const split = splitUsers(dataset.sequences.length, a.holdoutShare, a.holdoutSeed);
  const prior = popularityPrior(itemUserCounts(split.trainUsers.map((u) => dataset.sequences[u]), dataset.numItems));
  const referenceCases = referenceOf(dataset, split.trainUsers, a.reference, a.seed);
  const catalog = existsSync(join(a.modelDir, 'catalog.json')) ? readModelCatalog(a.modelDir) : loaded.catalog;
  const years = catalog ? itemYears(catalog, model.config.numItems) : null;
  if (protocol === 'standard') {
    const people = pick(split.heldOutUsers, a);
    return { dataset, people, trainPeople: split.trainUsers, referenceCases, prior, years };
  }
  // long: held-out people whose on-device history (all but the future) exceeds the window.
  const maxLen = model.config.maxLen;
  const long = split.heldOutUsers.filter((u) => dataset.sequences[u].length - a.futureCount > maxLen);
  const order = new Rng(a.holdoutSeed).shuffle(long);
  const people = pick(order, a);
  return { dataset, people, trainPeople: split.trainUsers, referenceCases, prior, years, lengthEdges: [maxLen + 1, 300, 500, 1000] };
}

/** The people of `order` a run evaluates: `skipUsers` skipped, then the next `users` (or all the rest). */
export function pick(order: readonly number[], a: Pick<ProtocolArgs, 'users' | 'skipUsers'>): number[] {
  const from = a.skipUsers ?? 0;
  return order.slice(from, a.users !== undefined ? from + a.users : undefined);
}
