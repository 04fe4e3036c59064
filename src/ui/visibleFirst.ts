/**
 * Visible-first rendering of a re-ranked list (issue 23: a re-rank that changes no history shows
 * within one frame). A new ranking of a long feed (132 cards after ten "Show more") moves or
 * mounts nearly every card, and committing that to the DOM is most of a re-rank's time. The
 * person sees only the cards in view: those positions get the new ranking at once, every other
 * position keeps the card it had (unless that item is now in view) or holds an empty slot, so
 * the urgent commit moves and mounts a screenful of cards at most.
 * The whole list follows in a transition (`useVisibleFirst`).
 */

/** A position of the rendered list: an item, or an empty slot (its position, for a stable key). */
export type Slot<T> = { item: T } | { slot: number };

/** The positions in view (inclusive), as the list's IntersectionObserver last saw them. */
export interface ViewRange {
  first: number;
  last: number;
}

/** What `visibleFirst` decided: the list to render now, and the items it brings into view from out of view. */
export interface VisibleFirstResult<T> {
  slots: Slot<T>[];
  /**
   * Keys of the items placed in view whose card is mounted out of view: render these as new
   * cards (a new React key), not as moves. React's keyed reconciliation keeps the cards in place
   * only along an increasing run of old positions, so moving one card from position 100 to
   * position 2 moves every card from 3 to 99 too (measured: a slider step re-inserted 50-90 of
   * 132 cards in the urgent commit); a fresh card in view costs one mount and one removal.
   */
  remount: number[];
}

/**
 * The list to render at once for `next` when `shown` is on screen and positions `view` are in
 * view: `next` inside the range (to its end when the range reaches the end of `shown`). Outside
 * it, the item `shown` had at that position unless `next` puts it in view (no DOM work; the
 * item may be one `next` no longer holds), else an empty slot. `view` null (nothing known about
 * the viewport) or past the end of `next`: `next` as it is. Keys (`keyOf`) stay unique.
 */
export function visibleFirst<T>(shown: readonly Slot<T>[], next: readonly T[], view: ViewRange | null, keyOf: (item: T) => number): VisibleFirstResult<T> {
  // Nothing known about the viewport, or the view lies past the end of a shorter list: all at once.
  if (!view || view.first >= next.length) return { slots: next.map((item) => ({ item })), remount: [] };
  const first = Math.max(0, view.first);
  // The end of the list in view ("Show more" was just clicked): the new cards below it are in view too.
  const last = view.last >= shown.length - 1 ? next.length - 1 : Math.min(next.length - 1, Math.max(view.last, first));
  const inView = new Set<number>();
  for (let i = first; i <= last; i++) inView.add(keyOf(next[i]));
  const remount: number[] = [];
  shown.forEach((s, i) => {
    if ('item' in s && (i < first || i > last) && inView.has(keyOf(s.item))) remount.push(keyOf(s.item));
  });
  const slots: Slot<T>[] = [];
  for (let i = 0; i < next.length; i++) {
    if (i >= first && i <= last) {
      slots.push({ item: next[i] });
      continue;
    }
    // Out of view, a card stays where it is (no DOM work), even one the new ranking dropped:
    // removing it is DOM work too (a slider step drops 14-53 of 132 items), and the whole list
    // follows in a moment (the list is aria-busy until then). Positions differ: no key repeats.
    const old = shown[i];
    if (old && 'item' in old && !inView.has(keyOf(old.item))) slots.push(old);
    else slots.push({ slot: i });
  }
  return { slots, remount };
}

/** True when `slots` is exactly `next` (no slot, every position the same item). */
export function isComplete<T>(slots: readonly Slot<T>[], next: readonly T[]): boolean {
  if (slots.length !== next.length) return false;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i];
    if (!('item' in s) || s.item !== next[i]) return false;
  }
  return true;
}

/**
 * The range to treat as in view: the positions the observer reports (a screenful), widened by
 * the focused position so keyboard focus never lands on a stale card. Null when none is known.
 */
export function viewRange(visible: Iterable<number>, focused: number | null): ViewRange | null {
  let first = Infinity;
  let last = -Infinity;
  for (const p of visible) {
    if (p < first) first = p;
    if (p > last) last = p;
  }
  if (focused !== null) {
    first = Math.min(first, focused);
    last = Math.max(last, focused);
  }
  return Number.isFinite(first) ? { first, last } : null;
}
