/**
 * Visible-first rendering of a re-ranked list (issue 23: a re-rank that changes no history shows
 * within one frame). A new ranking of a long feed (132 cards after ten "Show more") moves or
 * mounts nearly every card, and committing that to the DOM is most of a re-rank's time. The
 * person sees only the cards in view: those positions get the new ranking at once, every other
 * position keeps the card it had (when that item is still in the new list and not now in view)
 * or holds an empty slot, so the urgent commit moves and mounts a screenful of cards at most.
 * The whole list follows in a transition (`useVisibleFirst`).
 */

/** A position of the rendered list: an item, or an empty slot (its position, for a stable key). */
export type Slot<T> = { item: T } | { slot: number };

/** The positions in view (inclusive), as the list's IntersectionObserver last saw them. */
export interface ViewRange {
  first: number;
  last: number;
}

/**
 * The list to render at once for `next` when `shown` is on screen and positions `view` are in
 * view: `next` inside the range (to its end when the range reaches the end of `shown`). Outside
 * it, the item `shown` had at that position when `next` still holds it and does not put it in
 * view; else `next`'s own item when its card is mounted already; else an empty slot. `view` null
 * (nothing known about the viewport) or past the end of `next`: `next` as it is. Keys (`keyOf`)
 * stay unique.
 */
export function visibleFirst<T>(shown: readonly Slot<T>[], next: readonly T[], view: ViewRange | null, keyOf: (item: T) => number): Slot<T>[] {
  // Nothing known about the viewport, or the view lies past the end of a shorter list: all at once.
  if (!view || view.first >= next.length) return next.map((item) => ({ item }));
  const first = Math.max(0, view.first);
  // The end of the list in view ("Show more" was just clicked): the new cards below it are in view too.
  const last = view.last >= shown.length - 1 ? next.length - 1 : Math.min(next.length - 1, Math.max(view.last, first));
  const inView = new Set<number>();
  const wanted = new Set<number>();
  for (let i = 0; i < next.length; i++) {
    const k = keyOf(next[i]);
    wanted.add(k);
    if (i >= first && i <= last) inView.add(k);
  }
  const mounted = new Set<number>();
  for (const s of shown) if ('item' in s) mounted.add(keyOf(s.item));
  // Pass 1: outside the range, a card stays where it is while the new list still holds it (no
  // DOM work). An item the new ranking dropped (a dislike, the seen toggle) leaves at once.
  const out: (Slot<T> | null)[] = [];
  const used = new Set<number>(inView);
  for (let i = 0; i < next.length; i++) {
    if (i >= first && i <= last) {
      out.push({ item: next[i] });
      continue;
    }
    const old = shown[i];
    const k = old && 'item' in old ? keyOf(old.item) : null;
    if (old && k !== null && wanted.has(k) && !used.has(k)) {
      used.add(k);
      out.push(old);
    } else {
      out.push(null);
    }
  }
  // Pass 2: a free position takes its final item when that card exists already (a move, e.g. a
  // card that was in view), else an empty slot (no mount on the urgent path).
  return out.map((s, i) => {
    if (s) return s;
    const k = keyOf(next[i]);
    if (mounted.has(k) && !used.has(k)) {
      used.add(k);
      return { item: next[i] };
    }
    return { slot: i };
  });
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
