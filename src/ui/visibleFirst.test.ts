import { describe, expect, it } from 'vitest';
import { isComplete, viewRange, visibleFirst, type Slot } from './visibleFirst';

const key = (n: number): number => n;
const slots = (xs: number[]): Slot<number>[] => xs.map((item) => ({ item }));
const show = (s: Slot<number>[]): (number | string)[] => s.map((x) => ('item' in x ? x.item : `_${x.slot}`));

describe('visibleFirst', () => {
  it('renders the new list as it is when nothing is known about the viewport', () => {
    const out = visibleFirst(slots([1, 2, 3]), [3, 2, 1], null, key);
    expect(show(out)).toEqual([3, 2, 1]);
    expect(isComplete(out, [3, 2, 1])).toBe(true);
  });

  it('puts the new ranking in view and keeps every other card where it was when the new list still holds it', () => {
    // In view: positions 0-2. Item 7 moves into view; 9 left the feed; 10 is new below the view.
    const out = visibleFirst(slots([1, 2, 3, 4, 5, 6, 7, 8, 9]), [7, 1, 2, 3, 4, 5, 6, 8, 10], { first: 0, last: 2 }, key);
    expect(show(out)).toEqual([7, 1, 2, 4, 5, 6, '_6', 8, '_8']);
    expect(isComplete(out, [7, 1, 2, 3, 4, 5, 6, 8, 10])).toBe(false);
    // 3 is in the new list but its old position is in view: it waits (no duplicate keys).
    expect(new Set(show(out)).size).toBe(out.length);
  });

  it('drops at once an item the new ranking no longer holds, even out of view (a dislike, the seen toggle)', () => {
    const out = visibleFirst(slots([1, 2, 3, 4, 5, 6, 7]), [1, 2, 3, 4, 6, 7], { first: 0, last: 1 }, key);
    // 5 leaves at once; 6 stays where it is (out of view, no DOM work) until the whole list follows.
    expect(show(out)).toEqual([1, 2, 3, 4, '_4', 6]);
  });

  it('moves a card that left the view to a free position that is its final one', () => {
    // 2 was in view and drops to position 3; 9 (new) enters the view; 4 left the feed.
    const out = visibleFirst(slots([1, 2, 3, 4, 5]), [1, 9, 3, 2, 5], { first: 0, last: 1 }, key);
    expect(show(out)).toEqual([1, 9, 3, 2, 5]);
    const kept = visibleFirst(slots([1, 2, 3, 4, 5]), [1, 9, 3, 4, 2], { first: 0, last: 1 }, key);
    expect(show(kept)).toEqual([1, 9, 3, 4, 2]); // 5 left: its position is 2's final one
  });

  it('renders the whole tail when the end of the list is in view ("Show more" just clicked)', () => {
    const out = visibleFirst(slots([1, 2, 3, 4]), [1, 2, 3, 4, 5, 6, 7], { first: 2, last: 3 }, key);
    expect(show(out)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(isComplete(out, [1, 2, 3, 4, 5, 6, 7])).toBe(true);
  });

  it('holds slots for new cards below the view when the end is not in view', () => {
    const out = visibleFirst(slots([1, 2, 3, 4]), [1, 2, 3, 4, 5, 6], { first: 0, last: 1 }, key);
    expect(show(out)).toEqual([1, 2, 3, 4, '_4', '_5']);
  });

  it('clamps a range beyond a shorter new list and never repeats a key', () => {
    const out = visibleFirst(slots([1, 2, 3, 4, 5, 6, 7, 8]), [8, 7, 6], { first: 5, last: 7 }, key);
    expect(show(out)).toEqual([8, 7, 6]);
    const shuffled = [5, 3, 8, 1, 7, 2, 6, 4];
    for (let first = 0; first < 8; first++) {
      for (let last = first; last < 8; last++) {
        const o = visibleFirst(slots([1, 2, 3, 4, 5, 6, 7, 8]), shuffled, { first, last }, key);
        const items = o.flatMap((x) => ('item' in x ? [x.item] : []));
        expect(new Set(items).size).toBe(items.length);
        expect(o.length).toBe(shuffled.length);
        for (let i = first; i <= last; i++) expect(o[i]).toEqual({ item: shuffled[i] });
      }
    }
  });

  it('works from a list that still holds slots (a second change before the first completed)', () => {
    const first = visibleFirst(slots([1, 2, 3, 4]), [4, 3, 2, 1], { first: 0, last: 0 }, key);
    expect(show(first)).toEqual([4, 2, 3, 1]);
    const withSlot = visibleFirst(slots([1, 2, 3, 4]), [4, 3, 2, 5], { first: 0, last: 0 }, key);
    expect(show(withSlot)).toEqual([4, 2, 3, '_3']);
    const second = visibleFirst(withSlot, [2, 4, 1, 3], { first: 0, last: 0 }, key);
    expect(show(second)).toEqual([2, 4, 3, '_3']);
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
