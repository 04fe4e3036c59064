import { LocalRecError } from '../errors';
import { Rng } from '../train/rng';

/** Users (dataset indices) kept for pretraining and held out for on-device evaluation. */
export interface UserSplit {
  train: number[];
  heldOut: number[];
}

/**
 * Seeded split of `numUsers` users: a `share` of them (rounded) is held out. The same numbers
 * always give the same split, so `pretrain --holdout-users` and `eval:ondevice` agree.
 */
export function splitUsers(numUsers: number, share: number, seed: number): UserSplit {
  if (!(share > 0 && share < 1)) {
    throw new LocalRecError('INVALID_INPUT', `The held-out share must be between 0 and 1 (got ${share}), e.g. 0.2 for 20% of users.`);
  }
  const order = new Rng(seed).shuffle(Array.from({ length: numUsers }, (_, i) => i));
  const cut = Math.round(numUsers * share);
  return { heldOut: order.slice(0, cut).sort((a, b) => a - b), train: order.slice(cut).sort((a, b) => a - b) };
}
