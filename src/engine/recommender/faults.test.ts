import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFileCache } from '../loading/fileCache';
import { LocalStore } from '../store/localStore';
import { databaseName, type StoredCheckpoint } from '../store/schema';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
import { createRecommender, type LocalRecommenderOptions } from './createRecommender';
import type { ProgressEvent, Recommender } from './types';

let ns = 0;
const open: Recommender[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.dispose();
  ns++;
});
function make(extra: Partial<LocalRecommenderOptions> = {}): { engine: Recommender; events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  const engine = createRecommender({
    modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `f${ns}`, fetch: tinyModelFetch(), cache: memoryFileCache(),
    policy: { tolerance: 100, learnAfter: 1000 }, onProgress: (e) => events.push(e), ...extra,
  });
  open.push(engine);
  return { engine, events };
}
const at = (i: number) => 1_700_000_000_000 + i * 1000;
async function likeSix(r: Recommender): Promise<void> {
  for (let i = 0; i < 6; i++) await r.record({ itemId: 20 + i, type: 'like', at: at(i) });
}
const errors = (events: ProgressEvent[]) => events.flatMap((e) => (e.status === 'error' ? [e] : []));

describe('fault: storage quota exceeded while writing a checkpoint', () => {
  it('the run is not kept, the history is, the person is told (event + status); the next run after space frees is kept', async () => {
    const { engine, events } = make();
    await engine.ready;
    await likeSix(engine);
    await engine.recommend({ count: 5 });
    const tensors = tf.memory().numTensors;
    // The browser refuses the checkpoint write as over quota (what Chrome reports when the origin is full).
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'checkpoints') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    let report;
    try {
      report = await engine.learn({ force: true });
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(report.accepted).toBe(false);
    expect(report.reason).toMatch(/storage is full.*history is kept/);
    expect(errors(events)).toEqual([expect.objectContaining({ during: 'storage', code: 'STORAGE_FULL' })]);
    const status = await engine.status();
    expect(status.notes).toEqual([expect.stringMatching(/could not be saved: this site's storage is full/)]);
    expect(status).toMatchObject({ interactions: 6, personalized: false, learning: false, storage: 'indexeddb' });
    expect((await engine.history()).map((e) => e.itemId)).toEqual([20, 21, 22, 23, 24, 25]);
    expect(await new LocalStore(`f${ns}`).getCheckpoint()).toBeNull();
    expect((await engine.recommend({ count: 5 })).every((r) => r.source === 'model')).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    // Space again: the next run is stored and the note goes.
    const next = await engine.learn({ force: true });
    expect(next.accepted).toBe(true);
    expect((await engine.status()).notes).toEqual([]);
  });
});

describe('fault: IndexedDB unavailable', () => {
  const real = globalThis.indexedDB;
  afterEach(() => { Object.defineProperty(globalThis, 'indexedDB', { value: real, configurable: true, writable: true }); });

  it('the engine runs in memory and says so: ready notes, an error event, status.storage; record, learn, export work', async () => {
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });
    const { engine, events } = make();
    const info = await engine.ready;
    expect(info.notes.some((n) => /kept in memory only/.test(n))).toBe(true);
    expect(errors(events)).toEqual([expect.objectContaining({ during: 'storage', code: 'STORAGE_UNAVAILABLE' })]);
    await likeSix(engine);
    const report = await engine.learn({ force: true });
    expect(report.accepted).toBe(true);
    const status = await engine.status();
    expect(status).toMatchObject({ storage: 'memory', interactions: 6, personalized: true });
    expect(status.notes[0]).toMatch(/gone when you close this tab/);
    expect((await engine.exportData()).events).toHaveLength(6);
    await engine.recommend({ count: 5 });
    const tensors = tf.memory().numTensors;
    await engine.record({ itemId: 30, type: 'view', at: at(9) });
    await engine.recommend({ count: 5 });
    await engine.recommend({ count: 5, offset: 5 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(errors(events)).toHaveLength(1); // said once
  });
});

describe('fault: a corrupted checkpoint in IndexedDB', () => {
  // A checkpoint of the model's own weights (the adapter's faults are below).
  const weights = { policy: { tolerance: 100, learnAfter: 1000, adapter: 'none' as const } };
  async function storedCheckpoint(): Promise<StoredCheckpoint> {
    const { engine } = make(weights);
    await engine.ready;
    await likeSix(engine);
    expect((await engine.learn({ force: true })).accepted).toBe(true);
    await engine.dispose();
    const c = await new LocalStore(`f${ns}`).getCheckpoint();
    if (!c) throw new Error('no checkpoint stored');
    return c;
  }
  async function overwrite(value: unknown): Promise<void> {
    const db = await openDB(databaseName(`f${ns}`));
    await db.put('checkpoints', value, 'current');
    db.close();
  }

  const damage: [string, (c: StoredCheckpoint) => unknown, RegExp][] = [
    ['a truncated weight', (c) => ({ ...c, weights: Object.fromEntries(Object.entries(c.weights).map(([k, v]) => [k, v.subarray(0, 3)])) }), /has 3 values, the model needs/],
    ['NaN in the weights', (c) => ({ ...c, weights: Object.fromEntries(Object.entries(c.weights).map(([k, v]) => [k, Float32Array.from(v, (x, i) => (i === 1 ? NaN : x))])) }), /NaN or infinite/],
    ['not an object at all', () => 'garbage', /not an object/],
    ['weights of an unknown parameter', (c) => ({ ...c, weights: { ...c.weights, not_a_weight: new Float32Array(4) } }), /not_a_weight.*not a parameter/],
  ];
  for (const [what, corrupt, why] of damage) {
    it(`${what}: the pretrained weights are used, a note is shown, the history is kept, nothing leaks`, async () => {
      const good = await storedCheckpoint();
      await overwrite(corrupt(good));
      const { engine, events } = make(weights);
      const info = await engine.ready;
      expect(info.notes.find((n) => /is damaged/.test(n))).toMatch(why);
      expect(errors(events)).toEqual([expect.objectContaining({ during: 'storage', code: 'CHECKPOINT_CORRUPT' })]);
      const status = await engine.status();
      expect(status).toMatchObject({ interactions: 6, personalized: false, fineTuneSteps: 0 });
      expect(status.notes).toEqual([expect.stringMatching(/pretrained model is used\. Your history is kept/)]);
      // Same feed as an engine that never had a checkpoint.
      const { engine: plain } = make({ ...weights, namespace: `plain-${ns}` });
      await plain.ready;
      await likeSix(plain);
      const feed = await engine.recommend({ count: 8, discover: 0 });
      const expected = await plain.recommend({ count: 8, discover: 0 });
      expect(feed.map((r) => r.itemId)).toEqual(expected.map((r) => r.itemId));
      for (let k = 0; k < 8; k++) expect(feed[k].score).toBeCloseTo(expected[k].score, 5);
      // Export leaves the damaged checkpoint out (it could never be imported).
      expect((await engine.exportData()).checkpoint).toBeNull();
      const tensors = tf.memory().numTensors;
      await engine.recommend({ count: 8, offset: 8 });
      expect(tf.memory().numTensors).toBe(tensors);
      // The next run replaces it and the note goes.
      expect((await engine.learn({ force: true })).accepted).toBe(true);
      expect((await engine.status()).notes).toEqual([]);
    });
  }
});

describe('fault: a corrupted per-person adapter in IndexedDB', () => {
  const lora = { policy: { tolerance: 100, learnAfter: 1000, adapter: 'lora' as const, adapterRank: 2, learningRate: 0.05, maxDrift: 0.5 } };
  const damage: [string, (a: NonNullable<StoredCheckpoint['adapter']>) => unknown, RegExp][] = [
    ['NaN in an adapter tensor', (a) => ({ ...a, tensors: Object.fromEntries(Object.entries(a.tensors).map(([k, v]) => [k, Float32Array.from(v, (x, i) => (i === 0 ? NaN : x))])) }), /lora adapter does not fit this model: .* NaN or infinite/],
    ['a rank its tensors do not have', (a) => ({ ...a, rank: 3 }), /lora adapter does not fit this model: .* values, needs/],
    ['an unknown adapter kind', (a) => ({ ...a, kind: 'prefix' }), /adapter kind "prefix"/],
  ];
  for (const [what, corrupt, why] of damage) {
    it(`${what}: damaged like damaged weights; the pretrained weights serve, the history is kept, the next run replaces it`, async () => {
      const { engine: first } = make(lora);
      await first.ready;
      await likeSix(first);
      expect((await first.learn({ force: true })).accepted).toBe(true);
      await first.dispose();
      const stored = await new LocalStore(`f${ns}`).getCheckpoint();
      if (!stored?.adapter) throw new Error('no adapter stored');
      const db = await openDB(databaseName(`f${ns}`));
      await db.put('checkpoints', { ...stored, adapter: corrupt(stored.adapter) }, 'current');
      db.close();
      const { engine, events } = make(lora);
      const info = await engine.ready;
      expect(info.notes.find((n) => /is damaged/.test(n))).toMatch(why);
      expect(errors(events)).toEqual([expect.objectContaining({ during: 'storage', code: 'CHECKPOINT_CORRUPT' })]);
      expect(await engine.status()).toMatchObject({ interactions: 6, personalized: false, fineTuneSteps: 0 });
      const { engine: plain } = make({ ...lora, namespace: `plain-${ns}` });
      await plain.ready;
      await likeSix(plain);
      const feed = await engine.recommend({ count: 8, discover: 0 });
      const expected = await plain.recommend({ count: 8, discover: 0 });
      expect(feed.map((r) => r.itemId)).toEqual(expected.map((r) => r.itemId));
      expect((await engine.exportData()).checkpoint).toBeNull();
      expect((await engine.learn({ force: true })).accepted).toBe(true);
      expect((await engine.status()).notes).toEqual([]);
      expect((await new LocalStore(`f${ns}`).getCheckpoint())?.adapter?.rank).toBe(2);
    });
  }
});

describe('fault: a 50,000-event history', () => {
  it('loads and re-ranks; an interaction appends to it; no tensors leak', async () => {
    const events = Array.from({ length: 50_000 }, (_, i) => ({ itemId: 1 + ((i * 7919) % 48), type: i % 10 === 0 ? ('like' as const) : ('view' as const), at: at(i) }));
    const store = new LocalStore(`f${ns}`);
    await store.replaceAll({ events, settings: { discover: 0.3, autoLearn: false, onboarded: true }, checkpoint: null });
    store.close();
    const { engine } = make();
    await engine.ready;
    expect((await engine.status()).interactions).toBe(50_000);
    const first = await engine.recommend({ count: 10, includeSeen: true });
    expect(first).toHaveLength(10);
    expect(first.every((r) => r.source === 'model')).toBe(true);
    await engine.record({ itemId: first[0].itemId, type: 'dislike', at: at(50_001) });
    const after = await engine.recommend({ count: 48, includeSeen: true });
    // Re-ranked from the new history: the disliked item scores lower than it did.
    const disliked = after.find((r) => r.itemId === first[0].itemId);
    expect(disliked === undefined || disliked.score < first[0].score).toBe(true);
    expect((await engine.history()).length).toBe(50_001);
    // The caches now hold what they keep (item tables, the dislike table); more interactions add nothing.
    const tensors = tf.memory().numTensors;
    await engine.record({ itemId: 5, type: 'view', at: at(50_002) });
    await engine.recommend({ count: 10, includeSeen: true });
    await engine.recommend({ count: 10, offset: 10, includeSeen: true });
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
