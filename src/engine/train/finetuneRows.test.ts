import { describe, expect, it } from 'vitest';
import { historyWindows, nextItemPart, windowSchedule } from './finetuneRows';

describe('historyWindows', () => {
  it('is the newest window alone when the history fits or one window is allowed', () => {
    expect(historyWindows(10, 16, 4)).toEqual([{ start: 0, end: 10 }]);
    expect(historyWindows(40, 16, 1)).toEqual([{ start: 24, end: 40 }]);
  });
  it('cuts a long history into windows sharing one item, newest first, every target once', () => {
    const w = historyWindows(40, 16, 10);
    expect(w).toEqual([{ start: 24, end: 40 }, { start: 9, end: 25 }, { start: 0, end: 10 }]);
    const seq = Array.from({ length: 40 }, (_, i) => i + 1);
    const part = nextItemPart(w.map((x) => seq.slice(x.start, x.end)), 16, (row, j) => w[row].start + j);
    // Items 2..40 are each a target exactly once, with their own index as weight.
    expect([...part.targets].sort((a, b) => a - b)).toEqual(seq.slice(1));
    part.targets.forEach((t, i) => expect(part.weights[i]).toBe(t - 1));
  });
  it('stops at the budget and skips windows without a target', () => {
    expect(historyWindows(40, 16, 2)).toHaveLength(2);
    expect(historyWindows(1, 16, 3)).toEqual([]);
    expect(historyWindows(16, 16, 3)).toEqual([{ start: 0, end: 16 }]);
  });
});

describe('windowSchedule', () => {
  const all = historyWindows(80, 16, 100); // 6 windows, newest first
  it('trains the newest window every step and the older ones in turn, covering all', () => {
    expect(all).toHaveLength(6);
    const sets = windowSchedule(all, 3, 8);
    expect(sets).toEqual([[all[0], all[1], all[2]], [all[0], all[3], all[4]], [all[0], all[5], all[1]]]);
    expect(new Set(sets.flat())).toEqual(new Set(all));
  });
  it('is one set when everything fits, the newest window alone at budget 1, and no longer than the steps', () => {
    expect(windowSchedule(all, 10, 8)).toEqual([all]);
    expect(windowSchedule(all, 1, 8)).toEqual([[all[0]]]);
    expect(windowSchedule(all, 2, 2)).toEqual([[all[0], all[1]], [all[0], all[2]]]);
  });
});
