import { describe, expect, it } from 'vitest';
import { historyWindows, nextItemPart } from './finetuneRows';

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
