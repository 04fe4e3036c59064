import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore } from '../store/localStore';
import { HistoryCache, type HistoryRead } from './historyCache';
import type { InteractionEvent } from './types';

let ns = 0;
const stores: LocalStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  ns++;
});

/** A store whose `events()` reads are counted. */
function countingStore(): { store: LocalStore; reads: () => number } {
  const store = new LocalStore(`history-cache-${ns}`);
  stores.push(store);
  let reads = 0;
  const original = store.events.bind(store);
  store.events = () => {
    reads++;
    return original();
  };
  return { store, reads: () => reads };
}
const ev = (itemId: number, at: number): InteractionEvent => ({ itemId, type: 'view', at });

describe('HistoryCache', () => {
  it('reads IndexedDB once, then extends itself on its own writes without re-reading', async () => {
    const { store, reads } = countingStore();
    const cache = new HistoryCache(store);
    const first = await cache.read();
    expect(first.events).toEqual([]);
    expect(reads()).toBe(1);
    await cache.append(ev(1, 100), () => store.appendEvent(ev(1, 100)));
    await cache.append(ev(2, 50), () => store.appendEvent(ev(2, 50))); // earlier time: stored order is by time
    const h = await cache.read();
    expect(reads()).toBe(1);
    expect(h.events).toEqual(await store.events());
    expect(h.events.map((e) => e.itemId)).toEqual([2, 1]);
    expect(h.view.sequence).toEqual([2, 1]);
    expect(h.version).toBeGreaterThan(first.version);
    expect((await cache.read()).version).toBe(h.version); // same history, same version
  });

  it('overlapping writes and reads are not cached; the next read is exact', async () => {
    const { store, reads } = countingStore();
    const cache = new HistoryCache(store);
    await cache.read();
    const writes = [1, 2, 3].map((i) => cache.append(ev(i, i), () => store.appendEvent(ev(i, i))));
    const during = await cache.read();
    expect(during.version).toBe(-1);
    await Promise.all(writes);
    const after = await cache.read();
    expect(after.events.map((e) => e.itemId)).toEqual([1, 2, 3]);
    expect(after.version).toBeGreaterThanOrEqual(0);
    expect(reads()).toBeGreaterThan(1);
  });

  it('invalidate() drops the cache (another tab wrote) and moves the version on', async () => {
    const { store, reads } = countingStore();
    const cache = new HistoryCache(store);
    const a = await cache.read();
    await store.appendEvent(ev(7, 1)); // written behind the cache's back
    expect((await cache.read()).events).toEqual([]);
    cache.invalidate();
    const b = await cache.read();
    expect(b.events.map((e) => e.itemId)).toEqual([7]);
    expect(b.version).not.toBe(a.version);
    expect(reads()).toBe(2);
  });

  it('a failed write leaves nothing cached and the version moved', async () => {
    const { store } = countingStore();
    const cache = new HistoryCache(store);
    const a = await cache.read();
    await expect(cache.append(ev(1, 1), () => Promise.reject(new Error('quota')))).rejects.toThrow('quota');
    const b = await cache.read();
    expect(b.events).toEqual([]);
    expect(b.version).not.toBe(a.version);
  });

  it('announces the history a write will produce under the version a read gives after it; a failed write skips that version', async () => {
    const { store } = countingStore();
    const cache = new HistoryCache(store);
    await cache.append(ev(1, 100), () => store.appendEvent(ev(1, 100)));
    await cache.read();
    const announced: HistoryRead[] = [];
    await cache.append(ev(2, 200), () => store.appendEvent(ev(2, 200)), (next) => announced.push(next));
    expect(announced).toHaveLength(1);
    const after = await cache.read();
    expect(after.version).toBe(announced[0].version);
    expect(after.events).toBe(announced[0].events);
    expect(after.view).toBe(announced[0].view);
    expect(after.events.map((e) => e.itemId)).toEqual([1, 2]);

    const failing: HistoryRead[] = [];
    await expect(cache.append(ev(3, 300), () => Promise.reject(new Error('quota')), (next) => failing.push(next))).rejects.toThrow('quota');
    expect(failing[0].events.map((e) => e.itemId)).toEqual([1, 2, 3]);
    const stored = await cache.read();
    expect(stored.events.map((e) => e.itemId)).toEqual([1, 2]);
    expect(stored.version).not.toBe(failing[0].version); // cached work for [1, 2, 3] is never used for [1, 2]
  });

  it('announces nothing when the history was not cached or another write overlaps', async () => {
    const { store } = countingStore();
    const cache = new HistoryCache(store);
    const announced: HistoryRead[] = [];
    await cache.append(ev(1, 100), () => store.appendEvent(ev(1, 100)), (next) => announced.push(next)); // not read yet
    await cache.read();
    await Promise.all([
      cache.append(ev(2, 200), () => store.appendEvent(ev(2, 200)), (next) => announced.push(next)),
      cache.append(ev(3, 300), () => store.appendEvent(ev(3, 300)), (next) => announced.push(next)),
    ]);
    expect(announced).toHaveLength(1); // the first of the two; the second saw no cached history
    const after = await cache.read();
    expect(after.events.map((e) => e.itemId)).toEqual([1, 2, 3]);
    expect(after.version).not.toBe(announced[0].version);
  });
});
