import { describe, expect, it } from 'vitest';
import { isComplete, viewRange, visibleFirst, type Slot } from './visibleFirst';

const key = (n: number): number => n;
const slots = (xs: (number | string)[]): Slot<number>[] => xs.map((x) => (typeof x === 'number' ? { item: x } : { slot: Number(x.slice(1)) }));
const show = (s: Slot<number>[]): (number | string)[] => s.map((x) => ('item' in x ? x.item : `_${x.slot}`));

describe('visibleFirst', () => {
  it('renders the new list as it is when nothing is known about the viewport', () => {
    const out = visibleFirst(slots([1, 2, 3]), [3, 2, 1], null, key);
    expect(show(out.slots)).toEqual([3, 2, 1]);
    expect(out.remount).toEqual([]);
    expect(isComplete(out.slots, [3, 2, 1])).toBe(true);
  });

  it('puts the new ranking in view and keeps every other card where it was when the new list still holds it', () => {
    // In view: positions 0-2. Item 7 moves into view from out of view; 9 left the feed (it stays
    // out of view until the whole list follows); 10 is new below the view.
    const next = [7, 1, 2, 3, 4, 5, 6, 8, 10];
    const out = visibleFirst(slots([1, 2, 3, 4, 5, 6, 7, 8, 9]), next, { first: 0, last: 2 }, key);
    expect(show(out.slots)).toEqual([7, 1, 2, 4, 5, 6, '_6', 8, 9]);
    // 7's card was out of view: a new card in view, not a move (which would move 1-6 too).
    expect(out.remount).toEqual([7]);
    expect(isComplete(out.slots, next)).toBe(false);
    // 3 is in the new list but its old position is in view: it waits (no duplicate keys).
    expect(new Set(show(out.slots)).size).toBe(out.slots.length);
  });

  it('moves cards within the view as moves (no remount)', () => {
    const out = visibleFirst(slots([1, 2, 3, 4, 5]), [3, 1, 2, 4, 5], { first: 0, last: 2 }, key);
    expect(show(out.slots)).toEqual([3, 1, 2, 4, 5]);
    expect(out.remount).toEqual([]);
    expect(isComplete(out.slots, [3, 1, 2, 4, 5])).toBe(true);
  });

  it('leaves the cards out of view alone, even one the new ranking dropped; in view it is gone at once', () => {
    const out = visibleFirst(slots([1, 2, 3, 4, 5, 6, 7]), [1, 2, 3, 4, 6, 7], { first: 0, last: 1 }, key);
    expect(show(out.slots)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(isComplete(out.slots, [1, 2, 3, 4, 6, 7])).toBe(false);
    const disliked = visibleFirst(slots([1, 2, 3, 4, 5]), [1, 3, 4, 5, 6], { first: 0, last: 1 }, key);
    expect(show(disliked.slots)).toEqual([1, 3, '_2', 4, 5]);
  });

  it('renders the whole tail when the end of the list is in view ("Show more" just clicked)', () => {
    const out = visibleFirst(slots([1, 2, 3, 4]), [1, 2, 3, 4, 5, 6, 7], { first: 2, last: 3 }, key);
    expect(show(out.slots)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(isComplete(out.slots, [1, 2, 3, 4, 5, 6, 7])).toBe(true);
  });

  it('holds slots for new cards below the view when the end is not in view', () => {
    const out = visibleFirst(slots([1, 2, 3, 4]), [1, 2, 3, 4, 5, 6], { first: 0, last: 1 }, key);
    expect(show(out.slots)).toEqual([1, 2, 3, 4, '_4', '_5']);
  });

  it('renders all at once when the view lies past the end of a shorter list', () => {
    const out = visibleFirst(slots([1, 2, 3, 4, 5, 6, 7, 8]), [8, 7, 6], { first: 5, last: 7 }, key);
    expect(show(out.slots)).toEqual([8, 7, 6]);
  });

  it('never repeats a key, always puts the new ranking in view, and remounts exactly the cards brought in from out of view', () => {
    const old = [1, 2, 3, 4, 5, 6, 7, 8];
    const shuffled = [5, 3, 8, 1, 7, 2, 6, 4];
    for (let first = 0; first < 8; first++) {
      for (let last = first; last < 7; last++) {
        const o = visibleFirst(slots(old), shuffled, { first, last }, key);
        const items = o.slots.flatMap((x) => ('item' in x ? [x.item] : []));
        for (let i = 0; i < 8; i++) if (i < first || i > last) expect(o.slots[i]).toEqual(shuffled.slice(first, last + 1).includes(old[i]) ? { slot: i } : { item: old[i] });
        expect(new Set(items).size).toBe(items.length);
        expect(o.slots.length).toBe(shuffled.length);
        for (let i = first; i <= last; i++) expect(o.slots[i]).toEqual({ item: shuffled[i] });
        const expected = shuffled.slice(first, last + 1).filter((id) => old.indexOf(id) < first || old.indexOf(id) > last);
        expect(new Set(o.remount)).toEqual(new Set(expected));
      }
    }
  });

  it('works from a list that still holds slots (a second change before the first completed)', () => {
    const first = visibleFirst(slots([1, 2, 3, 4]), [4, 3, 2, 5], { first: 0, last: 0 }, key);
    expect(show(first.slots)).toEqual([4, 2, 3, '_3']);
    const second = visibleFirst(first.slots, [2, 4, 1, 3], { first: 0, last: 0 }, key);
    expect(show(second.slots)).toEqual([2, '_1', 3, '_3']); // 3 stays put; _3 stays a slot
    expect(second.remount).toEqual([2]);
  });
});

describe('viewRange', () => {
  it('spans the visible positions and the focused one', () => {
    expect(viewRange([4, 2, 3], null)).toEqual({ first: 2, last: 4 });
    expect(viewRange([4, 2, 3], 9)).toEqual({ first: 2, last: 9 });
    expect(viewRange([], 5)).toEqual({ first: 5, last: 5 });
    expect(viewRange([], null)).toBeNull();
  });
});
