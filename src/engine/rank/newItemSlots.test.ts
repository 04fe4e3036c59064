import { describe, expect, it } from 'vitest';
import { LocalRecError } from '../errors';
import { interleaveNewItems, isNewItemSlot, NEW_ITEM_SLOTS } from './newItemSlots';

const cards = (...ids: number[]) => ids.map((itemId) => ({ itemId }));
const ids = (list: readonly { itemId: number }[]) => list.map((c) => c.itemId);

describe('interleaveNewItems', () => {
  it('puts new items at the default slots: the 5th and 10th of every ten', () => {
    expect(NEW_ITEM_SLOTS).toEqual({ period: 10, positions: [4, 9] });
    const ranked = cards(...Array.from({ length: 20 }, (_, k) => k + 1)); // 1..20
    const fresh = cards(101, 102, 103, 104, 105);
    const out = ids(interleaveNewItems(ranked, fresh));
    expect(out.slice(0, 10)).toEqual([1, 2, 3, 4, 101, 5, 6, 7, 8, 102]);
    expect(out.slice(10, 20)).toEqual([9, 10, 11, 12, 103, 13, 14, 15, 16, 104]);
    expect(out.slice(20)).toEqual([17, 18, 19, 20, 105]);
    expect(out).toHaveLength(25);
    expect([0, 3, 4, 9, 14, 19, 24].map((p) => isNewItemSlot(p, NEW_ITEM_SLOTS))).toEqual([false, false, true, true, true, true, true]);
  });

  it('honours custom slot positions', () => {
    const out = ids(interleaveNewItems(cards(1, 2, 3, 4, 5), cards(8, 9), { period: 3, positions: [0] }));
    expect(out).toEqual([8, 1, 2, 9, 3, 4, 5]);
  });

  it('with fewer new items than slots, the normal ranking fills the rest in order', () => {
    const out = ids(interleaveNewItems(cards(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), cards(50)));
    expect(out).toEqual([1, 2, 3, 4, 50, 5, 6, 7, 8, 9, 10]);
  });

  it('when the normal ranking runs out, new items fill every remaining position', () => {
    expect(ids(interleaveNewItems(cards(1, 2), cards(50, 51, 52)))).toEqual([1, 2, 50, 51, 52]);
    expect(ids(interleaveNewItems([], cards(50, 51)))).toEqual([50, 51]);
  });

  it('never shows an excluded (seen or disliked) item, from either list, and shows an item once', () => {
    const exclude = new Set([2, 50]);
    const out = ids(interleaveNewItems(cards(1, 2, 3, 4, 5, 6, 7, 8, 9), cards(50, 51, 52), NEW_ITEM_SLOTS, exclude));
    // The slot at position 4 takes 51 (50 is excluded); position 9 takes 52.
    expect(out).toEqual([1, 3, 4, 5, 51, 6, 7, 8, 9, 52]);
    const twice = ids(interleaveNewItems(cards(1, 51, 2, 3), cards(51, 52), { period: 2, positions: [1] }));
    expect(twice).toEqual([1, 51, 2, 52, 3]);
  });

  it('no new items: the ranked list, unchanged, and the inputs are not mutated', () => {
    const ranked = cards(5, 3, 9, 1);
    const copy = ids(ranked);
    const out = interleaveNewItems(ranked, []);
    expect(ids(out)).toEqual(copy);
    expect(out[0]).toBe(ranked[0]);
    expect(ids(ranked)).toEqual(copy);
    expect(ids(interleaveNewItems(ranked, cards(7), { period: 10, positions: [] }))).toEqual([5, 3, 9, 1, 7]);
  });

  it('rejects slot settings that cannot be laid out', () => {
    expect(() => interleaveNewItems(cards(1), cards(2), { period: 0, positions: [] })).toThrow(LocalRecError);
    expect(() => interleaveNewItems(cards(1), cards(2), { period: 4, positions: [4] })).toThrow(/0\.\.3 \(got 4\)/);
  });
});
