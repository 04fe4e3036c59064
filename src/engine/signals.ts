import type { EventType, InteractionEvent } from './recommender/types';

/**
 * How each kind of interaction counts. The one place that says it, used by ranking (context),
 * fine-tuning (targets and negatives) and the "what the model learned from" summaries.
 * - `inContext`: the item enters the model's input sequence (what the feed is conditioned on).
 * - `trainWeight`: weight of the item as a next-item target in fine-tuning (0 = not a target).
 * - `negative`: the item is an explicit negative (its scores are pushed down in fine-tuning
 *   and it never comes back in the feed).
 * - `contextWindow`: how long the event keeps its item in the context: only while it is among
 *   the person's newest this-many events (Infinity = always). Strong signals stay; passing ones
 *   (a search hit, a card opened) fade, so a burst of browsing does not steer the feed for good.
 */
export interface SignalSpec {
  inContext: boolean;
  contextWindow: number;
  trainWeight: number;
  negative: boolean;
}

export const SIGNALS: Readonly<Record<EventType, Readonly<SignalSpec>>> = {
  like: { inContext: true, contextWindow: Infinity, trainWeight: 1, negative: false },
  view: { inContext: true, contextWindow: Infinity, trainWeight: 0.6, negative: false },
  search: { inContext: true, contextWindow: 30, trainWeight: 0.5, negative: false },
  open: { inContext: true, contextWindow: 15, trainWeight: 0.3, negative: false },
  dislike: { inContext: false, contextWindow: 0, trainWeight: 0, negative: true },
};

export const EVENT_TYPES = Object.keys(SIGNALS) as EventType[];

export function isEventType(x: unknown): x is EventType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(SIGNALS, x);
}

/** The person's history seen through the signals: what the model reads and what it learns from. */
export interface SignalView {
  /** Items in the model's input, oldest first; an item appears once, at its latest interaction. */
  sequence: number[];
  /** Fine-tuning weight of each `sequence` item (the strongest signal the item received). */
  weights: number[];
  /** Items whose latest explicit reaction is a dislike. */
  disliked: number[];
  /** Every item with any event (excluded from the feed by default). */
  seen: Set<number>;
}

/**
 * `events` in time order, ties in their given order (a stable sort). Stored histories are already
 * in that order, so the usual case is one pass and no copy (a 50,000-event history is read on
 * every interaction).
 */
export function inTimeOrder(events: readonly InteractionEvent[]): readonly InteractionEvent[] {
  let ordered = true;
  for (let i = 1; i < events.length && ordered; i++) ordered = events[i - 1].at <= events[i].at;
  if (ordered) return events;
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map((x) => x.e);
}

/**
 * Applies the signal table to events (any order; sorted by time here, ties keep input order).
 * A later like cancels an earlier dislike of the same item and vice versa.
 */
export function interpretEvents(events: readonly InteractionEvent[]): SignalView {
  const sorted = inTimeOrder(events);
  const lastAt = new Map<number, number>();
  const weight = new Map<number, number>();
  const verdict = new Map<number, 'like' | 'dislike'>();
  const seen = new Set<number>();
  sorted.forEach((e, order) => {
    seen.add(e.itemId);
    const spec = SIGNALS[e.type];
    if (e.type === 'like' || e.type === 'dislike') verdict.set(e.itemId, e.type);
    if (spec.inContext && sorted.length - 1 - order < spec.contextWindow) {
      lastAt.set(e.itemId, order);
      weight.set(e.itemId, Math.max(weight.get(e.itemId) ?? 0, spec.trainWeight));
    }
  });
  const disliked = [...verdict].filter(([, v]) => v === 'dislike').map(([id]) => id);
  const dislikedSet = new Set(disliked);
  const ordered = [...lastAt].filter(([id]) => !dislikedSet.has(id)).sort((a, b) => a[1] - b[1]).map(([id]) => id);
  return { sequence: ordered, weights: ordered.map((id) => weight.get(id) ?? 0), disliked, seen };
}
