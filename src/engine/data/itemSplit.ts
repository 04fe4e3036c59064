import { Rng } from '../train/rng';
import type { SequenceDataset } from './types';

/**
 * Holds out round(share * numItems) item ids (1..numItems) chosen uniformly with `seed`, for the
 * item cold-start protocol: those items never reach pretraining. Sorted ascending.
 */
export function splitItems(numItems: number, share: number, seed: number): number[] {
  if (!(share >= 0 && share < 1)) throw new RangeError(`item hold-out share must be in [0, 1), got ${share}`);
  const order = new Rng(seed).shuffle(Array.from({ length: numItems }, (_, i) => i + 1));
  return order.slice(0, Math.round(share * numItems)).sort((a, b) => a - b);
}

/**
 * The same dataset with every interaction on `items` removed (ids, catalog and numItems
 * unchanged, so held-out items keep their rows in the model's tables).
 */
export function removeItems(ds: SequenceDataset, items: readonly number[]): SequenceDataset {
  const drop = new Uint8Array(ds.numItems + 1);
  for (const i of items) drop[i] = 1;
  const keepIdx = ds.sequences.map((s) => {
    const k: number[] = [];
    for (let j = 0; j < s.length; j++) if (!drop[s[j]]) k.push(j);
    return k;
  });
  const out: SequenceDataset = {
    source: ds.source,
    numItems: ds.numItems,
    itemIds: ds.itemIds,
    userIds: ds.userIds,
    sequences: ds.sequences.map((s, u) => Int32Array.from(keepIdx[u], (j) => s[j])),
  };
  if (ds.times) out.times = ds.times.map((t, u) => Float64Array.from(keepIdx[u], (j) => t[j]));
  if (ds.ratings) out.ratings = ds.ratings.map((r, u) => Float32Array.from(keepIdx[u], (j) => r[j]));
  return out;
}
