import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, LocalStore, STORES, databaseName, type StoredCheckpoint } from './localStore';
import { TabSync, type SyncMessage } from './tabSync';

let n = 0;
const stores: LocalStore[] = [];
function make(ns = `s${n}`): LocalStore {
  const s = new LocalStore(ns);
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  n++;
});

const checkpoint = (steps: number): StoredCheckpoint => ({
  modelId: 'm@1', steps, updatedAt: 5, trainedEvents: 3,
  weights: { final_ln_g: Float32Array.from([1, 2, 3]) },
  optimizer: { step: steps, m: { final_ln_g: Float32Array.from([0.1, 0, 0]) }, v: { final_ln_g: Float32Array.from([0.01, 0, 0]) } },
});

describe('LocalStore (IndexedDB)', () => {
  it('creates the versioned schema under a namespaced name', async () => {
    const s = make('ns-a');
    await s.countEvents();
    s.close();
    const db = await openDB(databaseName('ns-a'));
    expect(db.name).toBe('localrec:ns-a');
    expect(db.version).toBe(1);
    expect([...db.objectStoreNames].sort()).toEqual([STORES.checkpoints, STORES.events, STORES.settings].sort());
    expect([...db.transaction('events').store.indexNames]).toEqual(['byTime']);
    db.close();
  });

  it('returns events by time; namespaces are separate', async () => {
    const a = make();
    const b = make(`other${n}`);
    await a.appendEvent({ itemId: 2, type: 'like', at: 20 });
    await a.appendEvent({ itemId: 1, type: 'view', at: 10 });
    await a.appendEvent({ itemId: 3, type: 'dislike', at: 20 });
    expect(await a.events()).toEqual([
      { itemId: 1, type: 'view', at: 10 },
      { itemId: 2, type: 'like', at: 20 },
      { itemId: 3, type: 'dislike', at: 20 },
    ]);
    expect(await b.events()).toEqual([]);
    // A second connection (another tab) sees the committed writes.
    expect(await make(`s${n}`).countEvents()).toBe(3);
  });

  it('stores checkpoints and settings', async () => {
    const s = make();
    expect(await s.getCheckpoint()).toBeNull();
    await s.putCheckpoint(checkpoint(4));
    expect(await s.getCheckpoint()).toEqual(checkpoint(4));
    await s.deleteCheckpoint();
    expect(await s.getCheckpoint()).toBeNull();
    expect(await s.getSettings()).toEqual(DEFAULT_SETTINGS);
    await s.putSettings({ ...DEFAULT_SETTINGS, discover: 0.9 });
    expect((await s.getSettings()).discover).toBe(0.9);
  });

  it('replaceAll swaps everything at once', async () => {
    const s = make();
    await s.appendEvent({ itemId: 9, type: 'like', at: 1 });
    await s.replaceAll({ events: [{ itemId: 1, type: 'view', at: 2 }], settings: { ...DEFAULT_SETTINGS, onboarded: true }, checkpoint: checkpoint(2) });
    expect(await s.events()).toEqual([{ itemId: 1, type: 'view', at: 2 }]);
    expect((await s.getSettings()).onboarded).toBe(true);
    expect((await s.getCheckpoint())?.steps).toBe(2);
  });

  it('destroy deletes the database even with another connection open (it closes itself)', async () => {
    const a = make();
    const b = make(`s${n}`);
    await a.appendEvent({ itemId: 1, type: 'like', at: 1 });
    await b.countEvents();
    await a.destroy();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).not.toContain(`localrec:s${n}`);
    // b reopens a fresh, empty database on next use.
    expect(await b.events()).toEqual([]);
  });

  it('the training lease (no Web Locks) admits one owner at a time and expires', async () => {
    const s = make();
    expect(await s.tryLease('tab1', 60_000)).toBe(true);
    expect(await s.tryLease('tab2', 60_000)).toBe(false);
    await s.releaseLease('tab1');
    expect(await s.tryLease('tab2', -1)).toBe(true);
    expect(await s.tryLease('tab1', 60_000)).toBe(true); // tab2's lease had expired
  });
});

describe('TabSync', () => {
  it('one trains at a time; others get the messages', async () => {
    const ns = `sync${n}`;
    const got: SyncMessage[] = [];
    const a = new TabSync(ns, make(ns), () => {});
    const b = new TabSync(ns, make(ns), (m) => got.push(m));
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const first = a.whileTraining(async () => { await gate; return 1; });
    await new Promise((r) => setTimeout(r, 20));
    expect(await b.whileTraining(async () => 2)).toEqual({ ran: false });
    release();
    expect(await first).toEqual({ ran: true, value: 1 });
    expect(await b.whileTraining(async () => 2)).toEqual({ ran: true, value: 2 });
    a.post('checkpoint');
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([{ kind: 'checkpoint', from: a.id }]);
    a.dispose();
    b.dispose();
  });
});

describe('TabSync with Web Locks', () => {
  it('uses navigator.locks with ifAvailable when present', async () => {
    const held = new Set<string>();
    const requests: { name: string; ifAvailable: boolean }[] = [];
    const locks = {
      async request<T>(name: string, opts: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<T>): Promise<T> {
        requests.push({ name, ...opts });
        if (held.has(name)) return cb(null);
        held.add(name);
        try { return await cb({ name }); } finally { held.delete(name); }
      },
    };
    const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
    try {
      const ns = `locks${n}`;
      const a = new TabSync(ns, make(ns), () => {});
      const b = new TabSync(ns, make(ns), () => {});
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      const first = a.whileTraining(async () => { await gate; return 'a'; });
      expect(await b.whileTraining(async () => 'b')).toEqual({ ran: false });
      release();
      expect(await first).toEqual({ ran: true, value: 'a' });
      expect(requests[0]).toEqual({ name: `localrec:${ns}:train`, ifAvailable: true });
      a.dispose();
      b.dispose();
    } finally {
      if (had) Object.defineProperty(globalThis, 'navigator', had);
      else Reflect.deleteProperty(globalThis, 'navigator');
    }
  });
});
