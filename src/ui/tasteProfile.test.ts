import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from 'localrec';
import { tasteSeries } from './tasteProfile';

const GENRES: Record<number, string[]> = { 1: ['A'], 2: ['A', 'B'], 3: ['C'], 4: ['B'], 5: [] };
const genresOf = (id: number) => GENRES[id];
const at = (iso: string) => Date.parse(iso);

describe('tasteSeries', () => {
  it('cuts a history from one day into blocks, leaves out dislikes and items without genres', () => {
    const t = at('2026-11-25T10:00:00Z');
    const events: InteractionEvent[] = [
      { itemId: 1, type: 'like', at: t },
      { itemId: 2, type: 'view', at: t + 1000 },
      { itemId: 3, type: 'dislike', at: t + 2000 },
      { itemId: 5, type: 'like', at: t + 2500 },
      { itemId: 3, type: 'view', at: t + 3000 },
      { itemId: 4, type: 'like', at: t + 4000 },
    ];
    const s = tasteSeries(events, genresOf, { blockSize: 2 });
    expect(s.unit).toBe('block');
    // Totals: A 1 + 1/2 = 1.5, B 1/2 + 1 = 1.5 (tie: by name), C 1.
    expect(s.genres).toEqual(['A', 'B', 'C']);
    expect(s.periods).toEqual([
      { label: 'Interactions 1–2', from: t, to: t + 1000, interactions: 2, shares: { A: 0.75, B: 0.25, C: 0 } },
      { label: 'Interactions 3–4', from: t + 3000, to: t + 4000, interactions: 2, shares: { A: 0, B: 0.5, C: 0.5 } },
    ]);
  });

  it('groups by calendar week (Monday, UTC) once the history spans two weeks, in time order, and folds rare genres into Other', () => {
    const events: InteractionEvent[] = [
      { itemId: 2, type: 'view', at: at('2026-11-24T09:00:00Z') }, // Tuesday, week of the 23rd
      { itemId: 1, type: 'like', at: at('2026-11-18T09:00:00Z') }, // Wednesday, week of the 16th
      { itemId: 3, type: 'like', at: at('2026-11-22T23:00:00Z') }, // Sunday, still the week of the 16th
    ];
    const s = tasteSeries(events, genresOf, { maxGenres: 1 });
    expect(s.unit).toBe('week');
    // Totals: A 1.5, C 1, B 0.5: only A by name.
    expect(s.genres).toEqual(['A', 'Other']);
    expect(s.periods.map((p) => [p.label, p.interactions, p.shares])).toEqual([
      ['Week of 2026-11-16', 2, { A: 0.5, Other: 0.5 }],
      ['Week of 2026-11-23', 1, { A: 0.5, Other: 0.5 }],
    ]);
  });

  it('is empty without countable events', () => {
    expect(tasteSeries([], genresOf)).toEqual({ unit: 'block', genres: [], periods: [] });
    expect(tasteSeries([{ itemId: 1, type: 'dislike', at: 0 }], genresOf).periods).toEqual([]);
  });

  it('gives the same series for a history given out of time order (equal times keep their order)', () => {
    const t = at('2026-11-02T10:00:00Z');
    const events: InteractionEvent[] = Array.from({ length: 40 }, (_, i) => ({ itemId: 1 + (i % 5), type: i % 7 === 0 ? 'dislike' : 'like', at: t + Math.floor(i / 2) * 86_400_000 }));
    const ordered = tasteSeries(events, genresOf);
    expect(ordered.unit).toBe('week');
    expect(ordered.periods.length).toBeGreaterThan(2);
    const shuffled = [...events].reverse();
    const sortedBack = tasteSeries(shuffled, genresOf);
    expect(sortedBack.genres).toEqual(ordered.genres);
    expect(sortedBack.periods.map((p) => [p.label, p.interactions, p.from, p.to])).toEqual(ordered.periods.map((p) => [p.label, p.interactions, p.from, p.to]));
    // Within one week: blocks follow time order, whatever the input order.
    const day = events.slice(0, 12).map((e, i) => ({ ...e, at: t + i * 1000 }));
    expect(tasteSeries([...day].reverse(), genresOf, { blockSize: 3 })).toEqual(tasteSeries(day, genresOf, { blockSize: 3 }));
  });
});

