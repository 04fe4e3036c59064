import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { isComplete, viewRange, visibleFirst, type Slot } from './visibleFirst';

/** Extra height around the viewport that counts as in view (a quick scroll lands on fresh cards). */
const ROOT_MARGIN = '50% 0px';

/** A position to render, with its React key: an item's key stays the same until it is remounted (`VisibleFirstResult.remount`). */
export type RenderSlot<T> = { item: T; key: string } | { slot: number; key: string };

interface State<T, M> {
  input: readonly T[];
  meta: M;
  slots: RenderSlot<T>[];
  /** Remount count per item key (absent = 0): part of the item's React key. */
  gens: ReadonlyMap<number, number>;
  /** The rendered list is `input` (no stale or empty position). */
  complete: boolean;
  /** `meta` of the last complete list. */
  completeMeta: M;
}

export interface VisibleFirst<T, M> {
  /** What to render, in order, with React keys. */
  slots: readonly RenderSlot<T>[];
  /** Every position shows the latest list. */
  complete: boolean;
  /** `meta` of the latest list that was rendered whole. */
  completeMeta: M;
  /** Ref callback for each rendered `<li>`: pass it `data-pos` = its position. */
  observe(el: HTMLElement | null): (() => void) | undefined;
}

const sameItems = <T,>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const sameMeta = <M,>(a: M, b: M): boolean =>
  a === b || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null
    && Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => Object.is(v, (b as Record<string, unknown>)[k])));

/**
 * Renders a re-ranked list visible-first (`visibleFirst`): the positions in view at once, the
 * rest in a transition right after. `meta` describes the list (revision, settings it was ranked
 * with; compared field by field) and is reported back as `completeMeta` once the whole list shows
 * it. `keyOf` must be stable across renders. Positions in view come from an IntersectionObserver on the rendered items (no layout read on the re-rank's path);
 * without one (or before it reports) the whole list renders at once.
 */
export function useVisibleFirst<T, M>(items: readonly T[], meta: M, keyOf: (item: T) => number): VisibleFirst<T, M> {
  const render = (slots: readonly Slot<T>[], gens: ReadonlyMap<number, number>): RenderSlot<T>[] =>
    slots.map((s) => {
      if (!('item' in s)) return { slot: s.slot, key: `slot-${s.slot}` };
      const k = keyOf(s.item);
      const g = gens.get(k);
      return { item: s.item, key: g ? `${k}.${g}` : String(k) };
    });
  const whole = (list: readonly T[], gens: ReadonlyMap<number, number>) => render(list.map((item) => ({ item })), gens);
  const [state, setState] = useState<State<T, M>>(() => ({ input: items, meta, slots: whole(items, new Map()), gens: new Map(), complete: true, completeMeta: meta }));
  const visible = useRef(new Set<Element>());
  const observer = useRef<IntersectionObserver | null>(null);
  const listRoot = useRef<Element | null>(null);

  let current = state;
  if (!sameItems(state.input, items)) {
    // A new list: derived during render, so the urgent commit already holds only the in-view change.
    const { slots, remount } = visibleFirst(state.slots, items, positionsInView(visible.current, listRoot.current), keyOf);
    let gens = state.gens;
    if (remount.length > 0) {
      const bumped = new Map(gens);
      for (const k of remount) bumped.set(k, (bumped.get(k) ?? 0) + 1);
      gens = bumped;
    }
    const complete = isComplete(slots, items);
    current = { input: items, meta, slots: render(slots, gens), gens, complete, completeMeta: complete ? meta : state.completeMeta };
    setState(current);
  } else if (!sameMeta(state.meta, meta)) {
    current = { ...state, meta, completeMeta: state.complete ? meta : state.completeMeta };
    setState(current);
  }

  useEffect(() => {
    if (state.complete) return;
    const input = state.input;
    startTransition(() => setState((s) => (s.input === input && !s.complete ? { ...s, slots: whole(input, s.gens), complete: true, completeMeta: s.meta } : s)));
  }, [state]);

  useEffect(() => () => observer.current?.disconnect(), []);

  const observe = useCallback((el: HTMLElement | null) => {
    if (!el || typeof IntersectionObserver === 'undefined') return undefined;
    listRoot.current = el.parentElement;
    observer.current ??= new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) visible.current.add(e.target);
        else visible.current.delete(e.target);
      }
    }, { rootMargin: ROOT_MARGIN });
    const io = observer.current;
    io.observe(el);
    return () => {
      io.unobserve(el);
      visible.current.delete(el);
    };
  }, []);

  return { slots: current.slots, complete: current.complete, completeMeta: current.completeMeta, observe };
}

/** Positions (`data-pos`) of the items in view, widened by the one holding keyboard focus. */
function positionsInView(visible: ReadonlySet<Element>, list: Element | null) {
  const positions: number[] = [];
  for (const el of visible) {
    const pos = Number((el as HTMLElement).dataset.pos);
    if (Number.isInteger(pos)) positions.push(pos);
  }
  const active = typeof document === 'undefined' ? null : document.activeElement;
  const focusedItem = active && list?.contains(active) ? active.closest<HTMLElement>('[data-pos]') : null;
  const focused = focusedItem ? Number(focusedItem.dataset.pos) : null;
  return viewRange(positions, focused !== null && Number.isInteger(focused) ? focused : null);
}
