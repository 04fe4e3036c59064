/**
 * Held-out people and items of a pretraining run (`--holdout-users`, `--holdout-items`): the one
 * selection both trainers use (`npm run pretrain` and `npm run pretrain:torch`), so the same data,
 * share and seed hold out the same people, whom `npm run eval:ondevice` then picks again with
 * `splitUsers`. run.json and training.json record `holdout` and `holdoutItems` as returned here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRecError } from '../../src/engine/errors';
import { removeItems, splitItems } from '../../src/engine/data/itemSplit';
import type { SequenceDataset } from '../../src/engine/data/types';
import { selectUsers, splitUsers } from '../../src/engine/data/userSplit';

/** run.json's and training.json's `holdout`: a share of people, chosen with `seed` (splitUsers). */
export interface UserHoldout { share: number; seed: number }
/** run.json's and training.json's `holdoutItems`: a share of items (splitItems), listed. */
export interface ItemHoldout { share: number; seed: number; items: number[] }

/** The holdout options of both trainers (see scripts/pretrain.ts for the defaults). */
export interface HoldoutOptions {
  holdoutUsers?: number;
  /** Default 7. */
  holdoutSeed?: number;
  holdoutItems?: number;
  /** Default 11. */
  holdoutItemsSeed?: number;
}

export interface HeldOut {
  /** The data pretraining sees: held-out people dropped, held-out items removed from every sequence. */
  dataset: SequenceDataset;
  holdout: UserHoldout | null;
  holdoutItems: ItemHoldout | null;
  /** Indices (in the loaded data) of the people held out, ascending; empty without --holdout-users. */
  heldOutUsers: number[];
}

/**
 * Removes the held-out people (`--holdout-users <share> --holdout-seed <n>`) and items
 * (`--holdout-items <share> --holdout-items-seed <n>`) from `loaded`, logging how many.
 */
export function applyHoldout(loaded: SequenceDataset, o: HoldoutOptions, log: (line: string) => void): HeldOut {
  const holdout = o.holdoutUsers !== undefined ? { share: o.holdoutUsers, seed: o.holdoutSeed ?? 7 } : null;
  const { trainUsers, heldOutUsers } = holdout ? splitUsers(loaded.sequences.length, holdout.share, holdout.seed) : { trainUsers: [], heldOutUsers: [] };
  if (holdout) log(`holding out ${heldOutUsers.length} of ${loaded.sequences.length} users (seed ${holdout.seed})`);
  const usersDataset = holdout ? selectUsers(loaded, trainUsers) : loaded;
  const holdoutItems = o.holdoutItems !== undefined ? { share: o.holdoutItems, seed: o.holdoutItemsSeed ?? 11, items: [] as number[] } : null;
  if (holdoutItems) {
    holdoutItems.items = splitItems(loaded.numItems, holdoutItems.share, holdoutItems.seed);
    log(`holding out ${holdoutItems.items.length} of ${loaded.numItems} items (seed ${holdoutItems.seed})`);
  }
  const dataset = holdoutItems ? removeItems(usersDataset, holdoutItems.items) : usersDataset;
  return { dataset, holdout, holdoutItems, heldOutUsers };
}

/** A recorded holdout: `undefined` when the file does not say (written before holdout was recorded). */
export interface HoldoutRecord { holdout?: UserHoldout | null; holdoutItems?: { share: number; seed: number } | null }

const usersText = (h: UserHoldout | null | undefined) => (h ? `--holdout-users ${h.share} --holdout-seed ${h.seed}` : 'no --holdout-users');
const itemsText = (h: { share: number; seed: number } | null | undefined) => (h ? `--holdout-items ${h.share} --holdout-items-seed ${h.seed}` : 'no --holdout-items');

/**
 * The holdout settings in which `now` differs from `saved` (empty when the same people and items are
 * held out), e.g. "--holdout-users 0.1 --holdout-seed 7 there, no --holdout-users here". A field
 * `saved` does not record counts as "none".
 */
export function holdoutChanges(saved: HoldoutRecord, now: { holdout: UserHoldout | null; holdoutItems: ItemHoldout | null }): string[] {
  const out: string[] = [];
  const a = saved.holdout ?? null;
  const b = now.holdout;
  if ((a === null) !== (b === null) || (a && b && (a.share !== b.share || a.seed !== b.seed))) out.push(`${usersText(a)} there, ${usersText(b)} here`);
  const c = saved.holdoutItems ?? null;
  const d = now.holdoutItems;
  if ((c === null) !== (d === null) || (c && d && (c.share !== d.share || c.seed !== d.seed))) out.push(`${itemsText(c)} there, ${itemsText(d)} here`);
  return out;
}

/**
 * What the run or model folder that `dir` (an --init-from folder) came from records about its
 * holdout: its run's run.json (`run`), else the folder's own training.json; null when neither
 * records it (a folder from before holdout was recorded, or `npm run export:model` output).
 */
export function recordedHoldout(dir: string, run: string | null): { file: string; record: HoldoutRecord } | null {
  for (const file of [...(run ? [join(run, 'run.json')] : []), join(dir, 'training.json')]) {
    if (!existsSync(file)) continue;
    const j = JSON.parse(readFileSync(file, 'utf8')) as HoldoutRecord;
    if ('holdout' in j || 'holdoutItems' in j) return { file, record: j };
  }
  return null;
}

/**
 * Refuses an --init-from phase that would not hold out the people and items the weights it starts
 * from were kept away from (or that claims to hold out people those weights were trained on).
 */
export function checkInitFromHoldout(dirArg: string, dir: string, run: string | null, now: { holdout: UserHoldout | null; holdoutItems: ItemHoldout | null }, log: (line: string) => void): void {
  const found = recordedHoldout(dir, run);
  if (!found) {
    if (now.holdout || now.holdoutItems) log(`--init-from ${dirArg}: no run.json or training.json there says which people or items it held out; make sure it held out ${[usersText(now.holdout), itemsText(now.holdoutItems)].join(', ')}`);
    return;
  }
  const changed = holdoutChanges(found.record, now);
  if (changed.length) {
    throw new LocalRecError('INVALID_INPUT', `--init-from ${dirArg} was trained with other held-out people or items (${found.file}: ${changed.join('; ')}). ` +
      'A later phase must hold out the same people and items as the weights it starts from: pass the same --holdout-users/--holdout-seed and --holdout-items/--holdout-items-seed.');
  }
}
