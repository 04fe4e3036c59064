import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore } from './localStore';
import { DB_VERSION, MIGRATIONS, databaseName } from './schema';

/** What every old database in these tests holds, in that version's own layout. */
const EVENTS = [
  { itemId: 7, type: 'like', at: 30 },
  { itemId: 3, type: 'view', at: 10 },
  { itemId: 5, type: 'dislike', at: 20 },
] as const;
const SETTINGS = { discover: 0.8, autoLearn: false, onboarded: true };
const CHECKPOINT = {
  modelId: 'm@1', steps: 6, updatedAt: 99, trainedEvents: 3,
  weights: { final_ln_g: Float32Array.from([1, 2, 3]) },
  optimizer: { step: 6, m: { final_ln_g: Float32Array.from([0.5, 0, 0]) }, v: { final_ln_g: Float32Array.from([0.25, 0, 0]) } },
};

/**
 * Each released schema version's real shape, written with the raw IndexedDB API (not with the
 * code under test), filled with the same data. A new schema version adds its builder here; the
 * test below fails until every version before `DB_VERSION` (and the current one) has one.
 */
const OLD_SHAPES: Record<number, (name: string) => Promise<void>> = {
  1: (name) =>
    new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('events', { autoIncrement: true }).createIndex('byTime', 'at');
        db.createObjectStore('checkpoints');
        db.createObjectStore('settings');
      };
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const db = req.result;
        const tx = db.transaction(['events', 'checkpoints', 'settings'], 'readwrite');
        for (const e of EVENTS) tx.objectStore('events').add({ ...e });
        tx.objectStore('checkpoints').put(CHECKPOINT, 'current');
        tx.objectStore('settings').put(SETTINGS, 'engine');
        tx.objectStore('settings').put({ owner: 'old-tab', expires: 1 }, 'trainLease');
        tx.oncomplete = () => { db.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    }),
};

let n = 0;
const open: LocalStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  n++;
});
function store(ns: string): LocalStore {
  const s = new LocalStore(ns, { onUnavailable: (m) => { throw new Error(`unexpected fallback: ${m}`); } });
  open.push(s);
  return s;
}

describe('store schema migrations', () => {
  it('the version steps are 1, 2, ... DB_VERSION, each with a description', () => {
    expect(MIGRATIONS.map((m) => m.to)).toEqual(Array.from({ length: DB_VERSION }, (_, i) => i + 1));
    for (const m of MIGRATIONS) expect(m.what.length).toBeGreaterThan(0);
  });

  it('every schema version has its old-shape builder in this test', () => {
    for (let v = 1; v <= DB_VERSION; v++) expect(OLD_SHAPES[v], `builder for version ${v}`).toBeTypeOf('function');
  });

  // The app's namespace and a widget's (`widgetNamespace`): one schema, one database each.
  for (let from = 1; from <= DB_VERSION; from++) for (const prefix of ['mig', 'widget:cdn.example:shop']) {
    it(`a database at version ${from} (${prefix}) opens with today's code (version ${DB_VERSION}) with every record intact`, async () => {
      const ns = `${prefix}-${from}-${n}`;
      await OLD_SHAPES[from](databaseName(ns));
      const s = store(ns);
      expect(await s.events()).toEqual([EVENTS[1], EVENTS[2], EVENTS[0]]); // by time
      expect(await s.getSettings()).toEqual(SETTINGS);
      expect(await s.getCheckpoint()).toEqual(CHECKPOINT);
      expect(s.mode).toBe('indexeddb');
      // Writing after the upgrade works and keeps the old records.
      await s.appendEvent({ itemId: 9, type: 'view', at: 40 });
      expect(await s.countEvents()).toBe(4);
      s.close();
      const raw = await openDB(databaseName(ns));
      expect(raw.version).toBe(DB_VERSION);
      expect([...raw.objectStoreNames].sort()).toEqual(['checkpoints', 'events', 'settings']);
      expect([...raw.transaction('events').store.indexNames]).toEqual(['byTime']);
      raw.close();
    });
  }

  it('a checkpoint with a per-person adapter needs no version step: an optional field of a stored value is not a schema change', async () => {
    // IndexedDB stores whole values; `adapter` adds no store or index, so the version stays and a
    // version-1 database (whose checkpoint has no adapter, loaded above) takes one as it is.
    const ns = `adapter-${n}`;
    await OLD_SHAPES[1](databaseName(ns));
    const s = store(ns);
    const withAdapter = { ...CHECKPOINT, weights: {}, optimizer: null, adapter: { kind: 'bias' as const, rank: 0, tensors: { 'bias/out': Float32Array.from([0.5, -1, 2]) } } };
    await s.putCheckpoint(withAdapter);
    expect(await s.getCheckpoint()).toEqual(withAdapter);
    s.close();
    const raw = await openDB(databaseName(ns));
    expect(raw.version).toBe(DB_VERSION);
    raw.close();
  });

  it('no database yet (version 0): created at the current version, empty', async () => {
    const s = store(`fresh-${n}`);
    expect(await s.events()).toEqual([]);
    expect(await s.getCheckpoint()).toBeNull();
    s.close();
    const raw = await openDB(databaseName(`fresh-${n}`));
    expect(raw.version).toBe(DB_VERSION);
    raw.close();
  });

  it('a database from a newer app version is left untouched; this engine runs in memory and says why', async () => {
    const ns = `newer-${n}`;
    const future = await openDB(databaseName(ns), DB_VERSION + 1, { upgrade: (db) => { db.createObjectStore('events', { autoIncrement: true }).createIndex('byTime', 'at'); } });
    await future.add('events', { itemId: 1, type: 'like', at: 1 });
    future.close();
    const messages: string[] = [];
    const s = new LocalStore(ns, { onUnavailable: (m) => messages.push(m) });
    open.push(s);
    expect(await s.events()).toEqual([]);
    await s.appendEvent({ itemId: 2, type: 'view', at: 2 });
    expect(await s.events()).toEqual([{ itemId: 2, type: 'view', at: 2 }]);
    expect(s.mode).toBe('memory');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/newer version of this app.*reload/);
    const raw = await openDB(databaseName(ns));
    expect(raw.version).toBe(DB_VERSION + 1);
    expect(await raw.getAll('events')).toEqual([{ itemId: 1, type: 'like', at: 1 }]);
    raw.close();
  });
});
