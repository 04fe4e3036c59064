import { userInteractions, type UserInteraction } from '../data/buildDataset';
import type { SequenceDataset } from '../data/types';
import type { EventType, InteractionEvent } from '../recommender/types';

/** Event type an explicit rating stands for on the device: >= 4 like, <= 2 dislike, else a view. */
export function eventTypeOf(x: UserInteraction): EventType {
  return x.feedback === 'like' ? 'like' : x.feedback === 'dislike' ? 'dislike' : 'view';
}

/** A person's interactions as the app would have stored them (times in ms; order kept). */
export function toEvents(xs: readonly UserInteraction[]): InteractionEvent[] {
  return xs.map((x, k) => ({ itemId: x.item, type: eventTypeOf(x), at: x.time !== null ? x.time * 1000 : k }));
}

/** One held-out person cut at a point in time. */
export interface Episode {
  user: number;
  /** The on-device history (what the app has stored). */
  events: InteractionEvent[];
  /** Items of the next interactions, to be predicted. */
  future: number[];
  /** Items among the later ones that the person rated <= 2. */
  laterDisliked: number[];
}

/** Cuts user `u` so that the last `futureCount` interactions are the future. Null when too short. */
export function futureEpisode(ds: SequenceDataset, u: number, futureCount: number, minHistory: number): Episode | null {
  const xs = userInteractions(ds, u);
  if (xs.length < futureCount + minHistory) return null;
  const cut = xs.length - futureCount;
  return episodeAt(xs, u, cut, xs.length);
}

/**
 * Cuts at the middle of the person's time line: the first half is the history, the second half
 * "later" (used for the explicit-negative measurement, which needs enough later dislikes).
 */
export function halfEpisode(ds: SequenceDataset, u: number, minHistory: number): Episode | null {
  const xs = userInteractions(ds, u);
  const cut = Math.floor(xs.length / 2);
  if (cut < minHistory) return null;
  return episodeAt(xs, u, cut, xs.length);
}

/** History = interactions [0, cut), future = [cut, end). */
export function episodeAt(xs: readonly UserInteraction[], u: number, cut: number, end: number): Episode {
  const later = xs.slice(cut, end);
  const historyItems = new Set(xs.slice(0, cut).map((x) => x.item));
  return {
    user: u,
    events: toEvents(xs.slice(0, cut)),
    future: later.map((x) => x.item).filter((i) => !historyItems.has(i)),
    laterDisliked: later.filter((x) => x.feedback === 'dislike' && !historyItems.has(x.item)).map((x) => x.item),
  };
}
