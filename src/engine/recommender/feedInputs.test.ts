import { describe, expect, it, vi } from 'vitest';
import { interpretEvents } from '../signals';
import { FeedInputs, type FeedInputsDeps } from './feedInputs';
import type { HistoryRead } from './historyCache';

function deps(over: Partial<FeedInputsDeps> = {}): FeedInputsDeps {
  const history: HistoryRead = { events: [{ itemId: 4, type: 'like', at: 1 }], view: interpretEvents([{ itemId: 4, type: 'like', at: 1 }]), version: 1 };
  return {
    history: async () => history,
    discover: async () => 0.5,
    live: () => null,
    deviceReady: async () => {},
    version: () => 7,
    disposed: () => false,
    newItemSlots: undefined,
    ...over,
  };
}

describe('FeedInputs', () => {
  it('reads the inputs (no model: no scores) and pushes them after a published change with the snapshot version', async () => {
    const f = new FeedInputs(deps());
    expect(await f.read()).toMatchObject({ scores: null, seen: [4], discover: 0.5 });
    const got: [unknown, number][] = [];
    const stop = f.listen((inputs, version) => got.push([inputs, version]));
    await f.published();
    expect(got).toEqual([[expect.objectContaining({ seen: [4], discover: 0.5 }), 7]]);
    stop();
    await f.published();
    expect(got.length).toBe(1);
  });

  it('sends nothing when a newer change was published while the inputs were computed, or after dispose', async () => {
    let version = 3;
    const f = new FeedInputs(deps({ version: () => version, discover: async () => { version++; return 0; } }));
    const listener = vi.fn();
    f.listen(listener);
    await f.published();
    expect(listener).not.toHaveBeenCalled();
    const gone = new FeedInputs(deps({ disposed: () => true }));
    gone.listen(listener);
    await gone.published();
    expect(listener).not.toHaveBeenCalled();
  });

  it('a throwing listener does not stop the others; a failed read sends nothing', async () => {
    const f = new FeedInputs(deps());
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const second = vi.fn();
    f.listen(() => { throw new Error('boom'); });
    f.listen(second);
    await f.published();
    expect(second).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
    const failing = new FeedInputs(deps({ history: async () => { throw new Error('storage'); } }));
    const never = vi.fn();
    failing.listen(never);
    await failing.published();
    expect(never).not.toHaveBeenCalled();
  });
});
