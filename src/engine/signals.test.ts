import { describe, expect, it } from 'vitest';
import { interpretEvents, inTimeOrder, SIGNALS } from './signals';

describe('signals', () => {
  it('defines the documented weights', () => {
    expect(SIGNALS.like.trainWeight).toBe(1);
    expect(SIGNALS.view.trainWeight).toBe(0.6);
    expect(SIGNALS.search.trainWeight).toBe(0.5);
    expect(SIGNALS.open.trainWeight).toBe(0.3);
    expect(SIGNALS.dislike).toEqual({ inContext: false, contextWindow: 0, trainWeight: 0, negative: true });
    expect(SIGNALS.like.contextWindow).toBe(Infinity);
    expect(SIGNALS.search.contextWindow).toBe(30);
    expect(SIGNALS.open.contextWindow).toBe(15);
  });

  it('orders by time, keeps each item once at its latest event, strongest weight wins', () => {
    const v = interpretEvents([
      { itemId: 3, type: 'view', at: 30 },
      { itemId: 1, type: 'open', at: 10 },
      { itemId: 2, type: 'search', at: 20 },
      { itemId: 1, type: 'like', at: 40 },
    ]);
    expect(v.sequence).toEqual([2, 3, 1]);
    expect(v.weights).toEqual([0.5, 0.6, 1]);
    expect([...v.seen].sort()).toEqual([1, 2, 3]);
    expect(v.disliked).toEqual([]);
  });

  it('passing signals fade from the context: an open older than 15 events, a search older than 30', () => {
    const filler = (from: number, n: number) => Array.from({ length: n }, (_, k) => ({ itemId: 100 + from + k, type: 'view' as const, at: from + k + 1 }));
    const events = [
      { itemId: 1, type: 'open' as const, at: 0 },
      { itemId: 2, type: 'search' as const, at: 0.5 },
      { itemId: 3, type: 'like' as const, at: 0.7 },
      ...filler(0, 20),
    ];
    // 23 events: the open is 22 events old (window 15), the search 21 (window 30), the like stays.
    let v = interpretEvents(events);
    expect(v.sequence).not.toContain(1);
    expect(v.sequence.slice(0, 2)).toEqual([2, 3]);
    expect(v.seen.has(1)).toBe(true); // still never shown again
    v = interpretEvents([...events, ...filler(20, 10)]);
    expect(v.sequence).not.toContain(2);
    expect(v.sequence[0]).toBe(3);
    // A recent open keeps its item, and a like at any age keeps it too.
    expect(interpretEvents([...filler(0, 20), { itemId: 1, type: 'open', at: 99 }]).sequence.at(-1)).toBe(1);
  });

  it('a dislike removes the item from the context; a later like restores it', () => {
    const v = interpretEvents([
      { itemId: 5, type: 'like', at: 1 },
      { itemId: 6, type: 'view', at: 2 },
      { itemId: 5, type: 'dislike', at: 3 },
    ]);
    expect(v.sequence).toEqual([6]);
    expect(v.disliked).toEqual([5]);
    const w = interpretEvents([
      { itemId: 5, type: 'dislike', at: 1 },
      { itemId: 5, type: 'like', at: 2 },
    ]);
    expect(w.sequence).toEqual([5]);
    expect(w.disliked).toEqual([]);
  });

  it('reads a history in time order without copying it when it is already in order, and sorts stably when not', () => {
    const ordered = [{ itemId: 1, type: 'like' as const, at: 1 }, { itemId: 2, type: 'view' as const, at: 1 }, { itemId: 3, type: 'dislike' as const, at: 2 }];
    expect(inTimeOrder(ordered)).toBe(ordered);
    const shuffled = [ordered[2], ordered[0], ordered[1]];
    expect(inTimeOrder(shuffled)).toEqual(ordered);
    // Ties keep their given order.
    expect(inTimeOrder([ordered[2], ordered[1], ordered[0]]).map((e) => e.itemId)).toEqual([2, 1, 3]);
    // With distinct times the view is the same whatever order the events come in.
    const many = Array.from({ length: 300 }, (_, i) => ({ itemId: 1 + ((i * 37) % 90), type: (['like', 'view', 'dislike', 'search'] as const)[i % 4], at: 1000 + i }));
    const view = interpretEvents(many);
    expect(view.sequence.length).toBeGreaterThan(0);
    expect(interpretEvents([...many].reverse())).toEqual(view);
    expect(interpretEvents(many.map((e, i) => many[(i * 7) % 300]))).toEqual(view);
  });
});
