import { describe, expect, it } from 'vitest';
import { SnapshotPublisher } from './snapshotPublisher';
import type { EngineSettings, EngineStatus, InteractionEvent, ProgressEvent } from './types';

const settings: EngineSettings = { discover: 0.25, autoLearn: true, onboarded: false };
const status = (n: number): EngineStatus => ({ ready: true, backend: 'cpu', interactions: n, fineTuneSteps: 0, lastUpdate: null, personalized: false, personalModel: null, learning: false, pendingEvents: n, learnAfter: 5 , storage: 'indexeddb', notes: []});

function make() {
  const history: InteractionEvent[] = [];
  let failNext = false;
  let delay = 0;
  const events: ProgressEvent[] = [];
  const errors: unknown[] = [];
  const p = new SnapshotPublisher(
    {
      read: async () => {
        const d = delay;
        delay = 0;
        await new Promise((r) => setTimeout(r, d));
        if (failNext) { failNext = false; throw new Error('read failed'); }
        return { status: status(history.length), settings, history };
      },
    },
    (e) => events.push(e),
    (err) => errors.push(err),
  );
  return { p, history, events, errors, failOnce: () => { failNext = true; }, slowOnce: (ms: number) => { delay = ms; } };
}

describe('SnapshotPublisher', () => {
  it('numbers snapshots in call order even when an earlier read is slower', async () => {
    const { p, events, slowOnce } = make();
    slowOnce(30);
    const a = p.publish('history', 'local', { kind: 'unchanged' });
    const b = p.publish('settings', 'local', { kind: 'unchanged' });
    await Promise.all([a, b]);
    expect(events.map((e) => (e.status === 'updated' ? [e.what, e.snapshot.version] : null))).toEqual([['history', 1], ['settings', 2]]);
  });

  it('state() answers at the version of the snapshots sent before it, with a copy of the history', async () => {
    const { p, history } = make();
    history.push({ itemId: 1, type: 'like', at: 1 });
    void p.publish('history', 'local', { kind: 'appended', events: [history[0]] });
    const s = await p.state();
    expect(s.version).toBe(1);
    expect(s.history).toEqual(history);
    expect(s.history).not.toBe(history);
  });

  it('a failed read is reported, uses no version and never rejects', async () => {
    const { p, events, errors, failOnce } = make();
    failOnce();
    await expect(p.publish('status', 'local', { kind: 'unchanged' })).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    await p.publish('status', 'local', { kind: 'unchanged' });
    expect(events).toHaveLength(1);
    expect(p.version).toBe(1);
  });
});
