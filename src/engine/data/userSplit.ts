import { Rng } from '../train/rng';
import type { SequenceDataset } from './types';

/** Dataset user indices split into a training part and a held-out part. */
export interface UserSplit {
  trainUsers: number[];
  heldOutUsers: number[];
}

/**
 * Holds out round(heldOutShare * numUsers) whole users chosen uniformly with `seed`
 * (both lists sorted ascending), e.g. the 80/20 split of the personalization protocol.
 */
export function splitUsers(numUsers: number, heldOutShare: number, seed: number): UserSplit {
  if (!(heldOutShare >= 0 && heldOutShare <= 1)) throw new RangeError(`heldOutShare must be in [0, 1], got ${heldOutShare}`);
  const order = new Rng(seed).shuffle(Array.from({ length: numUsers }, (_, u) => u));
  const n = Math.round(heldOutShare * numUsers);
  return {
    heldOutUsers: order.slice(0, n).sort((a, b) => a - b),
    trainUsers: order.slice(n).sort((a, b) => a - b),
  };
}

/** The same dataset restricted to `users` (item ids, catalog and numItems unchanged). */
export function selectUsers(ds: SequenceDataset, users: number[]): SequenceDataset {
  const out: SequenceDataset = {
    source: ds.source,
    numItems: ds.numItems,
    itemIds: ds.itemIds,
    userIds: users.map((u) => ds.userIds[u]),
    sequences: users.map((u) => ds.sequences[u]),
  };
  if (ds.times) out.times = users.map((u) => (ds.times as Float64Array[])[u]);
  if (ds.ratings) out.ratings = users.map((u) => (ds.ratings as Float32Array[])[u]);
  return out;
}
