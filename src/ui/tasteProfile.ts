import type { InteractionEvent } from 'localrec';
import { compareText } from './compareText';

/** Label of the genres folded together beyond `maxGenres`. */
export const OTHER_GENRES = 'Other';
const DAY_MS = 24 * 3600 * 1000;
const WEEK_MS = 7 * DAY_MS;

export interface TastePeriod {
  /** "Week of 2026-11-23" (weeks start on Monday, UTC) or "Interactions 1–10". */
  label: string;
  /** Time of the first and last counted event in the period (ms since the epoch). */
  from: number;
  to: number;
  /** Events counted in the period. */
  interactions: number;
  /** Share of each genre of `TasteSeries.genres` (0..1; each period sums to 1). */
  shares: Record<string, number>;
}

export interface TasteSeries {
  /** `week` when the counted history spans two calendar weeks or more, else blocks of interactions. */
  unit: 'week' | 'block';
  /** Genres charted, most weight overall first; `Other` (if any) last. */
  genres: string[];
  periods: TastePeriod[];
}

export interface TasteOptions {
  /** Interactions per bar when the history is within one week (default 10). */
  blockSize?: number;
  /** Genres shown by name; the rest are summed as `Other` (default 6). */
  maxGenres?: number;
}

/** Monday 00:00 UTC of the week holding `t`. */
function weekStart(t: number): number {
  const day = Math.floor(t / DAY_MS);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
  return (day - ((day + 3) % 7)) * DAY_MS;
}

/**
 * The person's genres over time, from their own history: one bar per period, each genre's
 * share of the period's counted events. Every event but `dislike` counts once, split evenly over
 * the item's genres; items without genres are left out. Periods are calendar weeks when the
 * history spans two weeks or more, otherwise blocks of `blockSize` interactions in time order.
 */
export function tasteSeries(
  events: readonly InteractionEvent[],
  genresOf: (itemId: number) => readonly string[] | undefined,
  { blockSize = 10, maxGenres = 6 }: TasteOptions = {},
): TasteSeries {
  // One pass, no sort when the history is in time order (as stored): a 50,000-event history is
  // charted again after every interaction.
  const counted: { at: number; order: number; genres: readonly string[] }[] = [];
  let ordered = true;
  for (const e of events) {
    if (e.type === 'dislike') continue;
    const genres = genresOf(e.itemId);
    if (!genres || genres.length === 0) continue;
    if (counted.length > 0 && counted[counted.length - 1].at > e.at) ordered = false;
    counted.push({ at: e.at, order: counted.length, genres });
  }
  if (!ordered) counted.sort((a, b) => a.at - b.at || a.order - b.order);
  if (counted.length === 0) return { unit: 'block', genres: [], periods: [] };

  // In time order, two calendar weeks or more means the first and last events are in different weeks.
  const unit: TasteSeries['unit'] = weekStart(counted[0].at) !== weekStart(counted[counted.length - 1].at) ? 'week' : 'block';
  const groups = new Map<number, typeof counted>();
  counted.forEach((e, i) => {
    const key = unit === 'week' ? weekStart(e.at) : Math.floor(i / blockSize);
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  });

  const total = new Map<string, number>();
  for (const e of counted) for (const g of e.genres) total.set(g, (total.get(g) ?? 0) + 1 / e.genres.length);
  const ranked = [...total].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([g]) => g);
  const named = ranked.slice(0, maxGenres);
  const genres = ranked.length > maxGenres ? [...named, OTHER_GENRES] : named;
  const column = (g: string): string => (named.includes(g) ? g : OTHER_GENRES);

  const periods: TastePeriod[] = [];
  for (const [key, group] of groups) {
    const shares: Record<string, number> = Object.fromEntries(genres.map((g) => [g, 0]));
    for (const e of group) for (const g of e.genres) shares[column(g)] += 1 / e.genres.length / group.length;
    const label =
      unit === 'week'
        ? `Week of ${new Date(key).toISOString().slice(0, 10)}`
        : `Interactions ${key * blockSize + 1}–${key * blockSize + group.length}`;
    periods.push({ label, from: group[0].at, to: group[group.length - 1].at, interactions: group.length, shares });
  }
  return { unit, genres, periods };
}
