import { describe, expect, it } from 'vitest';
import { applySnapshot, insertEvents } from './engineState';
import type { EngineSettings, EngineSnapshot, EngineState, EngineStatus, InteractionEvent } from './types';

const ev = (itemId: number, at: number): InteractionEvent => ({ itemId, type: 'like', at });
const settings: EngineSettings = { discover: 0.2, autoLearn: true, onboarded: true };
const status = (interactions: number): EngineStatus => ({ ready: true, backend: 'wasm', interactions, fineTuneSteps: 0, lastUpdate: null, personalized: false, personalModel: null, learning: false, pendingEvents: interactions, learnAfter: 5 , storage: 'indexeddb', notes: []});
const base: EngineState = { version: 3, status: status(2), settings, history: [ev(1, 10), ev(2, 20)] };
const snap = (version: number, history: EngineSnapshot['history'], interactions: number): EngineSnapshot => ({ version, status: status(interactions), settings, history });

describe('insertEvents', () => {
  it('puts each event after every event at the same or an earlier time (the stored order)', () => {
    const h = [ev(1, 10), ev(2, 20), ev(3, 20), ev(4, 30)];
    expect(insertEvents(h, [ev(9, 20)]).map((e) => e.itemId)).toEqual([1, 2, 3, 9, 4]);
    expect(insertEvents(h, [ev(9, 5)]).map((e) => e.itemId)).toEqual([9, 1, 2, 3, 4]);
    expect(insertEvents(h, [ev(9, 99), ev(8, 99)]).map((e) => e.itemId)).toEqual([1, 2, 3, 4, 9, 8]);
    expect(h).toHaveLength(4); // the input is not changed
  });
});

describe('applySnapshot', () => {
  it('applies the next version: appended events, new status and settings', () => {
    const next = applySnapshot(base, { ...snap(4, { kind: 'appended', events: [ev(5, 30)] }, 3), settings: { ...settings, discover: 0.9 } });
    expect(next).toEqual({ version: 4, status: status(3), settings: { ...settings, discover: 0.9 }, history: [ev(1, 10), ev(2, 20), ev(5, 30)] });
    expect(base.history).toHaveLength(2);
  });

  it('keeps the same history object when the history did not change', () => {
    const next = applySnapshot(base, snap(4, { kind: 'unchanged' }, 2));
    expect(next?.history).toBe(base.history);
    expect(next?.version).toBe(4);
  });

  it('ignores a snapshot that is not newer', () => {
    expect(applySnapshot(base, snap(3, { kind: 'appended', events: [ev(5, 30)] }, 3))).toBe(base);
    expect(applySnapshot(base, snap(1, { kind: 'replaced' }, 0))).toBe(base);
  });

  it('asks for a re-read (null) on a gap, a replaced history, disagreeing counts, or no state', () => {
    expect(applySnapshot(base, snap(5, { kind: 'unchanged' }, 2))).toBeNull();
    expect(applySnapshot(base, snap(4, { kind: 'replaced' }, 0))).toBeNull();
    expect(applySnapshot(base, snap(4, { kind: 'appended', events: [ev(5, 30)] }, 4))).toBeNull();
    expect(applySnapshot(null, snap(1, { kind: 'unchanged' }, 0))).toBeNull();
  });
});
