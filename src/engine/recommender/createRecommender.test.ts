import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRecError } from '../errors';
import { memoryFileCache } from '../loading/fileCache';
import { TINY_MODEL_URL, tinyModelFetch, tinyModelFile } from '../testing/tinyModelFetch';
import { createRecommender, type LocalRecommenderOptions } from './createRecommender';
import type { ProgressEvent, Recommender } from './types';

let ns = 0;
const open: Recommender[] = [];
function make(extra: Partial<LocalRecommenderOptions> = {}): Recommender {
  const r = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `t${ns}`, fetch: tinyModelFetch(), cache: memoryFileCache(), ...extra });
  open.push(r);
  return r;
}
afterEach(async () => {
  for (const r of open.splice(0)) await r.dispose();
  ns++;
});

const at = (i: number) => 1_700_000_000_000 + i * 1000;

/**
 * The tiny model with catalog items `newIds` at popularity 0 (no training signal: "new"), the
 * manifest's size and sha256 updated so the folder still verifies.
 */
function fetchWithNewItems(newIds: ReadonlySet<number>) {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const catalogBytes = (b: Uint8Array) => {
    const c = JSON.parse(text(b)) as { items: { id: number; popularity: number }[] };
    for (const it of c.items) if (newIds.has(it.id)) it.popularity = 0;
    return new TextEncoder().encode(JSON.stringify(c));
  };
  return tinyModelFetch((file, bytes) => {
    if (file === 'catalog.json') return catalogBytes(bytes);
    if (file !== 'manifest.json') return bytes;
    const m = JSON.parse(text(bytes)) as { files: { path: string; bytes: number; sha256: string }[] };
    const entry = m.files.find((f) => f.path === 'catalog.json');
    if (entry) {
      const next = catalogBytes(tinyModelFile('catalog.json'));
      entry.bytes = next.length;
      entry.sha256 = createHash('sha256').update(next).digest('hex');
    }
    return new TextEncoder().encode(JSON.stringify(m));
  });
}

/** The tiny model folder with an extra replay.json listed in its manifest. */
function fetchWithReplay(replay: unknown) {
  const body = new TextEncoder().encode(JSON.stringify(replay));
  const base = tinyModelFetch((file, bytes) => {
    if (file !== 'manifest.json') return bytes;
    const m = JSON.parse(new TextDecoder().decode(bytes)) as { files: { path: string; bytes: number; sha256: string }[] };
    m.files.push({ path: 'replay.json', bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    return new TextEncoder().encode(JSON.stringify(m));
  });
  const f = async (url: string, init?: RequestInit): Promise<Response> =>
    url === `${TINY_MODEL_URL}replay.json` ? new Response(body.slice().buffer as ArrayBuffer) : base(url, init);
  return Object.assign(f, { calls: base.calls });
}

describe('createRecommender on the tiny model (wasm, fake-indexeddb)', () => {
  it('loads replay.json exemplars from the model folder and fine-tunes with them; a bad one is a MODEL_FORMAT error', async () => {
    const learnWith = async (fetch?: ReturnType<typeof fetchWithReplay>) => {
      // Own storage each (a shared one would start from the other's checkpoint); no background run.
      const r = make({ ...(fetch ? { fetch } : {}), namespace: `replay-${fetch ? 'on' : 'off'}-${ns}`, policy: { tolerance: 100, learnAfter: 1000 } });
      await r.ready;
      for (const [i, id] of [24, 23, 22, 21, 20, 19].entries()) await r.record({ itemId: id, type: 'like', at: at(i) });
      return r.learn({ force: true });
    };
    const plain = await learnWith();
    const replayed = await learnWith(fetchWithReplay({ format: 'localrec-replay', version: 1, method: 'test', sequences: [[1, 2, 3, 4], [9, 10, 11, 12]] }));
    expect(plain.accepted && replayed.accepted).toBe(true);
    expect(replayed.lossBefore).toBeCloseTo(plain.lossBefore as number, 6); // same person, same start
    expect(replayed.lossAfter).not.toBeCloseTo(plain.lossAfter as number, 4); // the exemplars changed the training
    const bad = make({ fetch: fetchWithReplay({ format: 'localrec-replay', version: 1, method: 'test', sequences: [[1, 999]] }) });
    await expect(bad.ready).rejects.toMatchObject({ code: 'MODEL_FORMAT' });
    await expect(bad.ready).rejects.toThrow(/replay\.json: sequences\[0\] must hold item ids 1\.\.48/);
  });

  it('loads with byte progress and reports the backend', async () => {
    const events: ProgressEvent[] = [];
    const r = make({ onProgress: (e) => events.push(e) });
    const info = await r.ready;
    expect(info.backend).toBe('wasm');
    expect(info.numItems).toBe(48);
    expect(info.modelName).toBe('tiny-test');
    expect(info.modelId).toMatch(/^tiny-test@[0-9a-f]{12}-[0-9a-f]{12}$/);
    const progress = events.filter((e) => e.status === 'progress');
    const last = progress[progress.length - 1];
    expect(last.status === 'progress' && last.overallLoaded === last.overallTotal).toBe(true);
    expect(events.some((e) => e.status === 'ready' && e.backend === 'wasm')).toBe(true);
  });

  it('shows new catalog items (popularity 0) at the new-item slots of the personal feed', async () => {
    const newIds = new Set([40, 41, 42, 43, 44, 45, 46, 47, 48]);
    const r = make({ fetch: fetchWithNewItems(newIds) });
    await r.ready;
    await r.record({ itemId: 1, type: 'like', at: at(1) });
    await r.record({ itemId: 2, type: 'view', at: at(2) });
    const feed = await r.recommend({ count: 10, discover: 0 });
    expect(feed.map((x) => x.source)).toEqual(['model', 'model', 'model', 'model', 'new', 'model', 'model', 'model', 'model', 'new']);
    expect(newIds.has(feed[4].itemId) && newIds.has(feed[9].itemId)).toBe(true);
    expect(feed[4].score).toBeGreaterThanOrEqual(feed[9].score);
    expect(feed.filter((x) => x.source === 'model').every((x) => !newIds.has(x.itemId) && x.itemId > 2)).toBe(true);
    // Once seen, that new item is never shown again; another new item takes the slot.
    await r.record({ itemId: feed[4].itemId, type: 'view', at: at(3) });
    const next = await r.recommend({ count: 10, discover: 0 });
    expect(next.map((x) => x.itemId)).not.toContain(feed[4].itemId);
    expect(newIds.has(next[4].itemId) && next[4].source === 'new').toBe(true);
    // Slots off: one ranking, no 'new' cards.
    const plain = make({ fetch: fetchWithNewItems(newIds), newItemSlots: null, namespace: `t${ns}` });
    await plain.ready;
    expect((await plain.recommend({ count: 10, discover: 0 })).every((x) => x.source === 'model')).toBe(true);
    expect(() => createRecommender({ modelUrl: TINY_MODEL_URL, newItemSlots: { period: 10, positions: [10] } })).toThrow(/newItemSlots.positions must be integers in 0..9/);
  });

  it('serves a popular, varied feed before any history', async () => {
    const r = make();
    const feed = await r.recommend({ count: 6 });
    expect(feed).toHaveLength(6);
    expect(feed.every((x) => x.source === 'popular')).toBe(true);
    const catalog = await r.catalog();
    const genres = new Set(feed.map((x) => catalog.find((c) => c.id === x.itemId)?.genres[0]));
    expect(genres.size).toBeGreaterThanOrEqual(4);
  });

  it('a like personalises the feed, a dislike removes the item, paging does not repeat', async () => {
    const r = make();
    await r.ready;
    // Item 10 is Comedy (ids 9..16); the planted rule makes 11 the next item.
    await r.record({ itemId: 10, type: 'like', at: at(1) });
    const feed = await r.recommend({ count: 5, discover: 0 });
    expect(feed[0].source).toBe('model');
    expect(feed[0].itemId).toBe(11);
    expect(feed.map((x) => x.itemId)).not.toContain(10);
    await r.record({ itemId: 11, type: 'dislike', at: at(2) });
    const after = await r.recommend({ count: 47, discover: 0 });
    expect(after.map((x) => x.itemId)).not.toContain(11);
    expect(after.map((x) => x.itemId)).not.toContain(10);
    expect(after).toHaveLength(46);
    const p1 = await r.recommend({ count: 10, offset: 0, discover: 0.5 });
    const p2 = await r.recommend({ count: 10, offset: 10, discover: 0.5 });
    expect(new Set([...p1, ...p2].map((x) => x.itemId)).size).toBe(20);
    const seen = await r.recommend({ count: 48, includeSeen: true, discover: 0 });
    expect(seen.map((x) => x.itemId)).toContain(10);
  });

  it('rejects bad events without storing them', async () => {
    const r = make();
    await r.ready;
    await expect(r.record({ itemId: 999, type: 'like', at: at(1) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(r.record({ itemId: 3, type: 'love' as 'like', at: at(1) })).rejects.toBeInstanceOf(LocalRecError);
    expect(await r.history()).toEqual([]);
  });

  it('learn() fine-tunes, persists the checkpoint, and a new engine reloads it', async () => {
    const r = make();
    await r.ready;
    for (let i = 0; i < 6; i++) await r.record({ itemId: 17 + i, type: i % 2 ? 'view' : 'like', at: at(i) });
    const report = await r.learn({ force: true });
    expect(report.backend).toBe('wasm');
    expect(report.lossBefore).not.toBeNull();
    const status = await r.status();
    expect(status.interactions).toBe(6);
    if (report.accepted) {
      expect(status.fineTuneSteps).toBe(report.steps);
      expect(status.personalized).toBe(true);
      expect(report.lossAfter as number).toBeLessThanOrEqual((report.lossBefore as number) + 0.02);
    }
    const feedBefore = await r.recommend({ count: 10, discover: 0 });
    await r.dispose();
    const again = make({ namespace: `t${ns}` });
    await again.ready;
    const s2 = await again.status();
    expect(s2.fineTuneSteps).toBe(status.fineTuneSteps);
    expect(s2.interactions).toBe(6);
    const feedAfter = await again.recommend({ count: 10, discover: 0 });
    expect(feedAfter.map((x) => x.itemId)).toEqual(feedBefore.map((x) => x.itemId));
    for (let k = 0; k < 10; k++) expect(feedAfter[k].score).toBeCloseTo(feedBefore[k].score, 4);
  });

  it('export -> delete -> import round-trips exactly; delete empties everything', async () => {
    const r = make();
    await r.ready;
    for (let i = 0; i < 5; i++) await r.record({ itemId: 25 + i, type: 'like', at: at(i) });
    await r.record({ itemId: 40, type: 'dislike', at: at(9) });
    await r.setSettings({ discover: 0.7, onboarded: true });
    await r.learn({ force: true });
    const bundle = await r.exportData();
    const json = JSON.parse(JSON.stringify(bundle));
    await r.deleteData();
    expect(await r.history()).toEqual([]);
    expect((await r.status()).fineTuneSteps).toBe(0);
    const empty = await r.exportData();
    expect(empty.events).toEqual([]);
    expect(empty.checkpoint).toBeNull();
    // Reading after delete does not bring the database back.
    await r.recommend({ count: 3 });
    await r.status();
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(`localrec:t${ns}`);
    const result = await r.importData(json);
    expect(result.events).toBe(6);
    const back = await r.exportData();
    expect({ ...back, exportedAt: 0 }).toEqual({ ...bundle, exportedAt: 0 });
  });

  it('a bad import changes nothing and says what is wrong', async () => {
    const r = make();
    await r.ready;
    await r.record({ itemId: 5, type: 'like', at: at(1) });
    const good = await r.exportData();
    const bad = { ...good, events: [...good.events, { itemId: 4000, type: 'like', at: 1 }, { itemId: 2, type: 'meh', at: 1 }] };
    const err = await r.importData(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalRecError);
    expect((err as LocalRecError).code).toBe('IMPORT_INVALID');
    expect((err as LocalRecError).message).toContain('events[1].itemId');
    expect((err as LocalRecError).message).toContain('events[2].type');
    await expect(r.importData('nope')).rejects.toMatchObject({ code: 'IMPORT_INVALID' });
    expect(await r.history()).toEqual([{ itemId: 5, type: 'like', at: at(1) }]);
  });

  it('resetModel goes back to the pretrained scores', async () => {
    const r = make({ policy: { learningRate: 0.05, tolerance: 10, maxDrift: 0.5 } });
    await r.ready;
    for (let i = 0; i < 6; i++) await r.record({ itemId: 1 + ((i * 7) % 48), type: 'like', at: at(i) });
    const pre = await r.recommend({ count: 5, discover: 0 });
    const report = await r.learn({ force: true });
    expect(report.accepted).toBe(true);
    const tuned = await r.recommend({ count: 5, discover: 0 });
    expect(tuned.map((x) => x.score)).not.toEqual(pre.map((x) => x.score));
    await r.resetModel();
    const reset = await r.recommend({ count: 5, discover: 0 });
    expect(reset.map((x) => x.itemId)).toEqual(pre.map((x) => x.itemId));
    for (let k = 0; k < 5; k++) expect(reset[k].score).toBeCloseTo(pre[k].score, 5);
    expect((await r.status()).personalized).toBe(false);
  });

  it('leaks no tensors in recommend, learn, explain, reset', async () => {
    const r = make({ policy: { tolerance: 10 } });
    await r.ready;
    for (let i = 0; i < 6; i++) await r.record({ itemId: 33 + i, type: 'like', at: at(i) });
    await r.recommend({ count: 5 });
    await r.learn({ force: true });
    // Compared with the item table of the live weights cached (rebuilt after each change).
    await r.recommend({ count: 5 });
    const before = tf.memory().numTensors;
    await r.learn({ force: true });
    await r.recommend({ count: 5 });
    await r.explain(12);
    await r.resetModel();
    await r.recommend({ count: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect((await r.memory()).numTensors).toBe(before);
  });

  it('two engines on one namespace (two tabs): one trains, the other follows', async () => {
    const a = make();
    const b = make({ namespace: `t${ns}` });
    await Promise.all([a.ready, b.ready]);
    const updates: ProgressEvent[] = [];
    const c = make({ namespace: `t${ns}`, onProgress: (e) => updates.push(e) });
    await c.ready;
    for (let i = 0; i < 5; i++) await a.record({ itemId: 2 + i, type: 'like', at: at(i) });
    expect((await b.history()).length).toBe(5);
    const [ra, rb] = await Promise.all([a.learn({ force: true }), b.learn({ force: true })]);
    const trained = [ra, rb].filter((x) => x.reason !== 'another tab is training; it will share the result');
    expect(trained.length).toBe(1);
    await new Promise((res) => setTimeout(res, 50));
    expect(updates.some((e) => e.status === 'updated' && e.origin === 'remote' && e.what === 'history')).toBe(true);
    const sa = await a.status();
    const sc = await c.status();
    expect(sc.fineTuneSteps).toBe(sa.fineTuneSteps);
  });

  it('a corrupted weights file fails with MODEL_INTEGRITY naming the file', async () => {
    const r = make({ fetch: tinyModelFetch((f, b) => (f === 'weights.bin' ? b.map((x, i) => (i === 10 ? x ^ 0xff : x)) : b)) });
    const err = await r.ready.catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ModelLoadError', code: 'MODEL_INTEGRITY' });
    expect((err as Error).message).toContain('weights.bin');
  });

  it('a run that started before delete-all never writes its checkpoint afterwards', async () => {
    let started!: () => void;
    const learning = new Promise<void>((res) => { started = res; });
    const r = make({ policy: { steps: 30, validateEvery: 30, tolerance: 100 }, onProgress: (e) => { if (e.status === 'learning') started(); } });
    await r.ready;
    await r.setSettings({ autoLearn: false });
    for (let i = 0; i < 6; i++) await r.record({ itemId: 1 + i, type: 'like', at: at(i) });
    const run = r.learn({ force: true });
    await learning;
    await r.deleteData();
    const report = await run;
    expect(report.accepted).toBe(false);
    expect(report.reason).toContain('discarded');
    expect((await r.status()).personalized).toBe(false);
    expect((await r.exportData()).checkpoint).toBeNull();
  });

  it('re-ranks while a fine-tuning run is in progress', async () => {
    const r = make({ policy: { steps: 40, validateEvery: 40, tolerance: 100 } });
    await r.ready;
    await r.setSettings({ autoLearn: false });
    for (let i = 0; i < 6; i++) await r.record({ itemId: 1 + i, type: 'like', at: at(i) });
    let learnDone = false;
    const run = r.learn({ force: true }).then((x) => { learnDone = true; return x; });
    await new Promise((res) => setTimeout(res, 5));
    const feed = await r.recommend({ count: 5 });
    expect(feed).toHaveLength(5);
    expect(learnDone).toBe(false);
    expect((await r.status()).learning).toBe(true);
    expect((await run).backend).toBe('wasm');
  });

  it('explains a pick with items from the history', async () => {
    const r = make();
    await r.ready;
    for (let i = 0; i < 3; i++) await r.record({ itemId: 9 + i, type: 'like', at: at(i) });
    const e = await r.explain(12);
    expect(e.itemId).toBe(12);
    expect(e.because.length).toBeGreaterThan(0);
    for (const b of e.because) expect([9, 10, 11]).toContain(b.itemId);
    expect(e.because.reduce((s, b) => s + b.weight, 0)).toBeCloseTo(1);
    expect(e.summary).toMatch(/You liked \d Comedy title/);
  });

  it('after dispose every call fails with DISPOSED', async () => {
    const r = make();
    await r.ready;
    await r.dispose();
    await expect(r.recommend({ count: 3 })).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('history consistency', () => {
  it('concurrent record and recommend never lose an event', async () => {
    const r = make();
    await r.ready;
    await r.setSettings({ autoLearn: false });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      writes.push(r.record({ itemId: 1 + i, type: 'view', at: at(i) }));
      writes.push(r.recommend({ count: 3 }));
    }
    await Promise.all(writes);
    expect((await r.history()).map((e) => e.itemId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const feed = await r.recommend({ count: 38 });
    for (let i = 1; i <= 10; i++) expect(feed.map((x) => x.itemId)).not.toContain(i);
  });
});
