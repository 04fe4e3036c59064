import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalRecError } from '../errors';
import { memoryFileCache } from '../loading/fileCache';
import { SasRec } from '../model/sasrec';
import { databaseName, LocalStore } from '../store/localStore';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
import { createRecommender, type LocalRecommenderOptions } from './createRecommender';
import { applySnapshot } from './engineState';
import type { EngineSnapshot, EngineState, ProgressEvent, Recommender } from './types';
import { IncrementalEncoder } from '../model/incrementalEncoder';

let ns = 0;
const open: Recommender[] = [];
function make(extra: Partial<LocalRecommenderOptions> = {}): { r: Recommender; events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  const r = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `snap${ns}`, fetch: tinyModelFetch(), cache: memoryFileCache(), onProgress: (e) => events.push(e), ...extra });
  open.push(r);
  return { r, events };
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const r of open.splice(0)) await r.dispose();
  ns++;
});
const at = (i: number) => 1_700_000_000_000 + i * 1000;
const snapshots = (events: ProgressEvent[]): EngineSnapshot[] => events.flatMap((e) => (e.status === 'updated' ? [e.snapshot] : []));
const settle = () => new Promise((res) => setTimeout(res, 30));

describe('versioned snapshots', () => {
  it('one snapshot per change, versions +1 each; applying them to state() gives the next state()', async () => {
    const { r, events } = make({ policy: { tolerance: 100, learnAfter: 1000 } });
    await r.ready;
    await settle();
    let state: EngineState | null = await r.state();
    const start = state.version;
    events.length = 0;
    for (let i = 0; i < 6; i++) await r.record({ itemId: 20 - i, type: i === 5 ? 'dislike' : 'like', at: at(i) });
    await r.setSettings({ discover: 0.7 });
    await r.learn({ force: true });
    await r.resetModel();
    const bundle = await r.exportData();
    await r.importData(bundle);
    await settle();
    const snaps = snapshots(events);
    expect(snaps.map((s) => s.version)).toEqual(snaps.map((_, i) => start + 1 + i));
    // 6 records + settings + (weights of the first validation, the final checkpoint, status after
    // the run) + reset + import.
    expect(snaps).toHaveLength(12);
    expect(snaps.slice(0, 6).every((s) => s.history.kind === 'appended')).toBe(true);
    expect(snaps.at(-1)?.history.kind).toBe('replaced');
    let rereads = 0;
    for (const s of snaps) {
      const next = applySnapshot(state, s);
      if (next === null) {
        rereads++;
        state = await r.state();
      } else state = next;
    }
    expect(rereads).toBe(1); // the import only
    expect(state).toEqual(await r.state());
    expect(state?.settings.discover).toBe(0.7);
    expect(state?.history).toHaveLength(6);
  });

  it('a record sends its snapshot before it resolves, with the event and the new count', async () => {
    const { r, events } = make();
    await r.ready;
    await r.setSettings({ autoLearn: false });
    events.length = 0;
    await r.record({ itemId: 7, type: 'view', at: at(1) });
    const [s] = snapshots(events);
    expect(s.history).toEqual({ kind: 'appended', events: [{ itemId: 7, type: 'view', at: at(1) }] });
    expect(s.status.interactions).toBe(1);
    expect(s.status.pendingEvents).toBe(1);
  });
});

describe('serve-loop caches', () => {
  /**
   * Forward passes of the live model: a tfjs encode, or an append of the incremental encoder
   * (training runs on a copy, also a SasRec: count only in recommend).
   */
  function countForward(): { during: (fn: () => Promise<unknown>) => Promise<number> } {
    const spy = vi.spyOn(SasRec.prototype, 'encode');
    const appends = vi.spyOn(IncrementalEncoder.prototype, 'append');
    const calls = () => spy.mock.calls.length + appends.mock.calls.length;
    return {
      async during(fn) {
        const before = calls();
        await fn();
        return calls() - before;
      },
    };
  }

  it('re-ranks that change no history reuse the scores; history, weights, reset, import and another tab recompute', async () => {
    const { r } = make({ policy: { tolerance: 100, learnAfter: 1000 } });
    const tab2 = make({ namespace: `snap${ns}` }).r;
    await Promise.all([r.ready, tab2.ready]);
    const fwd = countForward();
    for (let i = 0; i < 6; i++) await r.record({ itemId: 30 - i, type: 'like', at: at(i) });
    await settle(); // the records' own forward passes
    expect(await fwd.during(() => r.recommend({ count: 10 }))).toBe(0);
    // Slider, paging, seen toggle: no forward pass.
    expect(await fwd.during(async () => {
      await r.recommend({ count: 10, discover: 0.9 });
      await r.recommend({ count: 10, offset: 10 });
      await r.recommend({ count: 10, includeSeen: true });
    })).toBe(0);
    // A record starts the forward pass for the new history itself; the re-rank then shares it.
    expect(await fwd.during(async () => {
      await r.record({ itemId: 3, type: 'view', at: at(10) });
      await r.recommend({ count: 10 });
    })).toBe(1);
    const learned = await r.learn({ force: true });
    expect(learned.accepted).toBe(true);
    // The new weights' forward pass started when they were published (no second one here).
    expect(await fwd.during(() => r.recommend({ count: 10 }))).toBe(0);
    await r.resetModel();
    expect(await fwd.during(() => r.recommend({ count: 10 }))).toBe(1);
    await r.importData(await r.exportData());
    expect(await fwd.during(() => r.recommend({ count: 10 }))).toBe(1);
    await tab2.record({ itemId: 40, type: 'like', at: at(20) });
    await settle();
    const feed = await r.recommend({ count: 40 });
    expect(feed.map((x) => x.itemId)).not.toContain(40); // the other tab's like is seen here too
    expect(await fwd.during(() => r.recommend({ count: 10 }))).toBe(0);
  });

  it('leaks no tensors: interactions and re-ranks hold a fixed set; dispose frees everything', async () => {
    await tf.setBackend('wasm');
    const baseline = tf.memory().numTensors;
    const { r } = make({ policy: { tolerance: 100, learnAfter: 1000 } });
    await r.ready;
    await r.record({ itemId: 5, type: 'like', at: at(0) });
    await r.record({ itemId: 6, type: 'dislike', at: at(1) });
    await r.recommend({ count: 10 });
    const warm = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      await r.record({ itemId: 10 + i, type: i % 2 ? 'dislike' : 'like', at: at(2 + i) });
      await r.recommend({ count: 10, discover: i / 5 });
      await r.recommend({ count: 10, offset: 10 });
    }
    expect(tf.memory().numTensors).toBe(warm);
    await r.learn({ force: true });
    await r.recommend({ count: 10 });
    await r.resetModel();
    await r.recommend({ count: 10 });
    expect(tf.memory().numTensors).toBe(warm);
    await r.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('no silent failures', () => {
  it('a background fine-tuning failure sends an error event and a snapshot with learning off', async () => {
    const { r, events } = make({ policy: { learnAfter: 3, tolerance: 100 } });
    await r.ready;
    vi.spyOn(LocalStore.prototype, 'putCheckpoint').mockRejectedValue(new LocalRecError('STORAGE_FAILED', 'Could not save the fine-tuned model in IndexedDB (QuotaExceededError).'));
    for (let i = 0; i < 3; i++) await r.record({ itemId: 1 + i, type: 'like', at: at(i) });
    await vi.waitFor(() => expect(events.some((e) => e.status === 'error')).toBe(true), { timeout: 20_000 });
    const err = events.find((e) => e.status === 'error');
    expect(err).toMatchObject({ status: 'error', during: 'learn', code: 'STORAGE_FAILED', message: expect.stringContaining('QuotaExceededError') });
    await settle();
    const last = snapshots(events).at(-1);
    expect(last?.status.learning).toBe(false);
    expect((await r.status()).learning).toBe(false);
    expect(await r.history()).toHaveLength(3); // nothing stored was lost
  });

  it('deleting while another connection holds the database reports the wait as an error event', async () => {
    const { r, events } = make();
    await r.ready;
    await r.record({ itemId: 1, type: 'like', at: at(0) });
    const other = await new Promise<IDBDatabase>((res, rej) => {
      const req = indexedDB.open(databaseName(`snap${ns}`));
      req.onsuccess = () => res(req.result);
      req.onerror = () => rej(req.error);
    });
    const deleting = r.deleteData();
    await vi.waitFor(() => expect(events.some((e) => e.status === 'error' && e.during === 'storage')).toBe(true));
    other.close();
    await deleting;
    expect(await r.history()).toEqual([]);
  });
});
