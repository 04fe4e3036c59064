import { describe, expect, it } from 'vitest';
import { interpretEvents, SIGNALS } from './signals';

describe('signals', () => {
  it('defines the documented weights', () => {
    expect(SIGNALS.like.trainWeight).toBe(1);
    expect(SIGNALS.view.trainWeight).toBe(0.6);
    expect(SIGNALS.search.trainWeight).toBe(0.5);
    expect(SIGNALS.open.trainWeight).toBe(0.3);
    expect(SIGNALS.dislike).toEqual({ inContext: false, trainWeight: 0, negative: true });
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
});
