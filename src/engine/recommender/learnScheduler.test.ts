import { describe, expect, it } from 'vitest';
import { LearnScheduler, type LearnSchedulerDeps } from './learnScheduler';
import type { LearnReport } from './types';

const REPORT: LearnReport = { steps: 8, accepted: true, reason: 'ok', lossBefore: 1, lossAfter: 0.9, backend: 'cpu', ms: 5 };

function make(over: Partial<LearnSchedulerDeps> = {}) {
  const log: string[] = [];
  let events = 0;
  const deps: LearnSchedulerDeps = {
    learnAfter: 3,
    run: async () => { log.push('run'); return REPORT; },
    autoLearn: async () => true,
    eventCount: async () => events,
    trainedEvents: () => 0,
    onBackgroundError: (err) => log.push(`background-error:${(err as Error).message}`),
    settled: (err) => { log.push(err === null ? 'settled' : `settled-error:${(err as Error).message}`); },
    ...over,
  };
  return { s: new LearnScheduler(deps), log, setEvents: (n: number) => { events = n; } };
}

describe('LearnScheduler', () => {
  it('runs in the background only when learnAfter new events arrived, and not twice on the same signal', async () => {
    const { s, log, setEvents } = make();
    setEvents(2);
    await s.afterEvent();
    expect(log).toEqual([]);
    setEvents(3);
    await s.afterEvent();
    expect(log).toEqual(['run', 'settled']);
    s.attempted(3);
    expect(s.pending(3)).toBe(0);
    await s.afterEvent();
    expect(log).toEqual(['run', 'settled']);
    expect(s.pending(7)).toBe(4);
  });

  it('a second learn() joins the running one; active is false once settled', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { s, log } = make({ run: async () => { log.push('run'); await gate; return REPORT; } });
    const a = s.learn();
    const b = s.learn();
    expect(a).toBe(b);
    expect(s.active).toBe(true);
    release();
    await a;
    expect(s.active).toBe(false);
    expect(log).toEqual(['run', 'settled']);
  });

  it('a failing run is reported through settled (not swallowed), background or explicit, and active ends', async () => {
    const { s, log, setEvents } = make({ run: async () => { throw new Error('out of memory'); } });
    setEvents(5);
    await s.afterEvent(); // never rejects
    expect(log).toEqual(['settled-error:out of memory']);
    expect(s.active).toBe(false);
    await expect(s.learn()).rejects.toThrow('out of memory');
    expect(log).toEqual(['settled-error:out of memory', 'settled-error:out of memory']);
  });

  it('a failing settings read in the background is reported', async () => {
    const { s, log } = make({ autoLearn: async () => { throw new Error('IndexedDB closed'); } });
    await s.afterEvent();
    expect(log).toEqual(['background-error:IndexedDB closed']);
  });

  it('autoLearn off: no background run', async () => {
    const { s, log, setEvents } = make({ autoLearn: async () => false });
    setEvents(10);
    await s.afterEvent();
    expect(log).toEqual([]);
  });
});
