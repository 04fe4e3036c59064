import { ParseError } from '../errors';
import type { CatalogItem } from './catalog';
import type { CatalogEntry } from './catalogFile';
import type { Interaction } from './interactions';
import type { SequenceDataset } from './types';

export interface BuildOptions {
  /** Interactions whose item is not in the catalog: 'error' (default) or 'skip' with a warning. */
  unknownItems?: 'error' | 'skip';
  /** Receives one summary line per kind of problem that was skipped. */
  onWarning?: (message: string) => void;
}

/** A dataset with dense ids and, when a catalog was given, its items under the same ids. */
export interface BuiltDataset {
  dataset: SequenceDataset;
  catalog: CatalogItem[] | null;
}

/** Natural order: all-numeric ids by value, otherwise by string. */
function naturalSort(ids: string[]): string[] {
  const numeric = ids.every((s) => /^\d+$/.test(s));
  return numeric ? ids.sort((a, b) => Number(a) - Number(b)) : ids.sort();
}

/**
 * Turns raw interactions into a SequenceDataset: dense item ids 1..N (catalog order when a
 * catalog is given, so catalog items without interactions still get an id; otherwise items in
 * natural id order), users in natural id order, each user's interactions sorted by time (stable:
 * equal times keep file order). `times` is always set; `ratings` when any row has one (NaN where
 * a row has none).
 */
export function buildDataset(interactions: Interaction[], entries: CatalogEntry[] | null, source: string, opts: BuildOptions = {}): BuiltDataset {
  const idOf = new Map<string, number>();
  const itemIds = [''];
  if (entries) {
    for (const e of entries) { idOf.set(e.externalId, itemIds.length); itemIds.push(e.externalId); }
  } else {
    for (const id of naturalSort([...new Set(interactions.map((x) => x.item))])) { idOf.set(id, itemIds.length); itemIds.push(id); }
  }
  const byUser = new Map<string, Interaction[]>();
  let skipped = 0;
  let firstSkipped: Interaction | null = null;
  for (const x of interactions) {
    if (!idOf.has(x.item)) {
      if (opts.unknownItems !== 'skip') {
        throw new ParseError(source, x.line, `item "${x.item}" is not in the catalog`,
          'Add it to the catalog, fix the id, or pass --skip-unknown-items to drop such interactions');
      }
      skipped++;
      firstSkipped ??= x;
      continue;
    }
    let list = byUser.get(x.user);
    if (!list) byUser.set(x.user, (list = []));
    list.push(x);
  }
  if (skipped > 0 && firstSkipped) {
    opts.onWarning?.(`${source}: skipped ${skipped} interaction(s) whose item is not in the catalog (first: "${firstSkipped.item}" on line ${firstSkipped.line})`);
  }
  if (byUser.size === 0) throw new ParseError(source, 1, 'no interactions left', 'Every interaction was skipped; check that the catalog and interactions use the same item ids');
  const hasRatings = interactions.some((x) => x.rating !== null);
  const userIds = naturalSort([...byUser.keys()]);
  const sequences: Int32Array[] = [];
  const times: Float64Array[] = [];
  const ratings: Float32Array[] = [];
  for (const u of userIds) {
    const list = byUser.get(u) ?? [];
    // Array.prototype.sort is stable: equal times keep file order.
    list.sort((a, b) => a.time - b.time);
    sequences.push(Int32Array.from(list, (x) => idOf.get(x.item) ?? 0));
    times.push(Float64Array.from(list, (x) => x.time));
    if (hasRatings) ratings.push(Float32Array.from(list, (x) => x.rating ?? Number.NaN));
  }
  const dataset: SequenceDataset = { source, numItems: itemIds.length - 1, userIds, sequences, times, itemIds };
  if (hasRatings) dataset.ratings = ratings;
  const catalog = entries
    ? entries.map((e, k) => ({
        id: k + 1, externalId: e.externalId, title: e.title, year: e.year, genres: e.genres,
        ...(e.image ? { image: e.image } : {}), ...(e.url ? { url: e.url } : {}),
      }))
    : null;
  return { dataset, catalog };
}

/** Explicit feedback implied by a 1-5 star rating: >= 4 like, <= 2 dislike, else neutral. */
export type RatingFeedback = 'like' | 'dislike' | 'neutral';

export function feedbackOfRating(rating: number): RatingFeedback {
  if (rating >= 4) return 'like';
  if (rating <= 2) return 'dislike';
  return 'neutral';
}

/** One user's interaction in time order, with its rating when the data has ratings. */
export interface UserInteraction {
  item: number;
  /** Seconds since the epoch, or null when the data has no times (SASRec lines). */
  time: number | null;
  rating: number | null;
  /** From the rating (`feedbackOfRating`); 'neutral' without a rating. */
  feedback: RatingFeedback;
}

/** The time-ordered interactions of dataset user `u` (index into `userIds`). */
export function userInteractions(ds: SequenceDataset, u: number): UserInteraction[] {
  const seq = ds.sequences[u];
  const times = ds.times?.[u];
  const ratings = ds.ratings?.[u];
  return Array.from(seq, (item, k) => {
    const r = ratings && !Number.isNaN(ratings[k]) ? ratings[k] : null;
    return { item, time: times ? times[k] : null, rating: r, feedback: r === null ? 'neutral' : feedbackOfRating(r) };
  });
}
