import { LocalRecError } from '../errors';

/**
 * Where new items (no training signal yet: catalog popularity 0, or added at run time) go in the
 * feed: in every block of `period` feed positions, the 0-based `positions` are slots for them.
 *
 * Why slots: a new item's vector is its content projection only, while trained items also carry a
 * learned ID part, so in one global ranking new items sit in the middle and never reach the first
 * screen (docs/COLD_START.md). Among new items, though, the content score does rank the right one
 * well above chance, so they get positions of their own and are ranked among themselves there.
 */
export interface NewItemSlots {
  /** Length of the repeating block of feed positions (>= 1). */
  period: number;
  /** 0-based positions inside each block that hold new items (each in 0..period-1). */
  positions: readonly number[];
}

/**
 * The feed's default: the 5th and 10th card of every ten (0-based positions 4 and 9) are the best
 * new items for this person; the other eight follow the normal ranking. The one place the default
 * lives. Measured on ML-100K (docs/COLD_START.md): the same HR@10 for new and for ordinary targets
 * as slots 2 and 7, at a smaller NDCG@10 cost on ordinary targets.
 */
export const NEW_ITEM_SLOTS: Readonly<NewItemSlots> = Object.freeze({ period: 10, positions: Object.freeze([4, 9]) });

/** True when feed position `p` (0-based) is a new-item slot. */
export function isNewItemSlot(p: number, slots: Readonly<NewItemSlots>): boolean {
  return slots.positions.includes(p % slots.period);
}

/** Throws a LocalRecError (INVALID_INPUT) on slot settings that cannot be laid out. */
export function checkNewItemSlots(slots: Readonly<NewItemSlots>): void {
  const s = slots as Partial<NewItemSlots> | null;
  if (!s || !Number.isInteger(s.period) || (s.period as number) < 1 || !Array.isArray(s.positions)) {
    throw new LocalRecError('INVALID_INPUT', `newItemSlots must be {period: integer >= 1, positions: number[]} (got ${JSON.stringify(slots)}); e.g. ${JSON.stringify(NEW_ITEM_SLOTS)}, or null for no slots.`);
  }
  for (const p of s.positions) {
    if (!Number.isInteger(p) || p < 0 || p >= (s.period as number)) throw new LocalRecError('INVALID_INPUT', `newItemSlots.positions must be integers in 0..${(s.period as number) - 1} (got ${String(p)}).`);
  }
}

/**
 * Merges the normal ranking with the new items' own ranking (both best first): feed position p
 * takes the next new item when p is a slot (`isNewItemSlot`) and the next ranked item otherwise.
 * When one list runs out, the other fills every remaining position (fewer new items than slots
 * just leaves the normal ranking in place). Items in `exclude` (seen, disliked) and repeats are
 * skipped in both lists. No new items: the ranked list, unchanged. Pure; the inputs are not mutated.
 *
 * @example
 * interleaveNewItems([{ itemId: 1 }, { itemId: 2 }, { itemId: 3 }], [{ itemId: 9 }], { period: 2, positions: [1] })
 * // -> items 1, 9, 2, 3
 */
export function interleaveNewItems<T extends { itemId: number }>(
  ranked: readonly T[],
  newRanked: readonly T[],
  slots: Readonly<NewItemSlots> = NEW_ITEM_SLOTS,
  exclude: ReadonlySet<number> = new Set(),
): T[] {
  checkNewItemSlots(slots);
  const used = new Set<number>();
  const take = (list: readonly T[], from: number): number => {
    let i = from;
    while (i < list.length && (exclude.has(list[i].itemId) || used.has(list[i].itemId))) i++;
    return i;
  };
  const out: T[] = [];
  let r = take(ranked, 0);
  let n = take(newRanked, 0);
  while (r < ranked.length || n < newRanked.length) {
    const wantNew = isNewItemSlot(out.length, slots);
    const fromNew = n < newRanked.length && (wantNew || r >= ranked.length);
    const next = fromNew ? newRanked[n] : ranked[r];
    out.push(next);
    used.add(next.itemId);
    if (fromNew) n = take(newRanked, n + 1);
    else r = take(ranked, r + 1);
    // An item in both lists is shown once: skip it where it comes up again.
    r = take(ranked, r);
    n = take(newRanked, n);
  }
  return out;
}
