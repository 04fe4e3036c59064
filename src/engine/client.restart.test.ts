import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerRecommender, type WorkerLike } from './client';
import { LocalRecError } from './errors';
import { memoryFileCache } from './loading/fileCache';
import { createRecommender } from './recommender/createRecommender';
import type { ProgressEvent, Recommender } from './recommender/types';
import { exposeRecommender } from './rpc/exposeRecommender';
import type { MessagePortLike } from './rpc/protocol';
import { TINY_MODEL_URL, tinyModelFetch } from './testing/tinyModelFetch';

let ns = 0;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
  ns++;
});

/**
 * Worker stand-ins, each a MessageChannel with its own in-process engine on the same namespace
 * (so on the same fake IndexedDB, like a real restarted worker). `crash` fires the worker's
 * `error` event (an uncaught exception in it); `terminate` kills its engine.
 */
function workers() {
  const started: { worker: WorkerLike & EventTarget; engineGone: Promise<void> }[] = [];
  const factory = (): WorkerLike => {
    const { port1, port2 } = new MessageChannel();
    port1.start();
    port2.start();
    let engine: Recommender | null = null;
    exposeRecommender(port2 as unknown as MessagePortLike, (o) => (engine = createRecommender({ ...o, fetch: tinyModelFetch(), cache: memoryFileCache() })));
    let gone!: () => void;
    const engineGone = new Promise<void>((r) => { gone = r; });
    const worker = Object.assign(port1, {
      terminate: () => {
        port1.close();
        port2.close();
        void (engine?.dispose() ?? Promise.resolve()).finally(gone);
      },
    }) as unknown as WorkerLike & EventTarget;
    started.push({ worker, engineGone });
    return worker;
  };
  const crash = (i: number, message: string) => started[i].worker.dispatchEvent(Object.assign(new Event('error'), { message }));
  return { factory, started, crash };
}

describe('the engine worker crashes', () => {
  it('mid-run: restarted, data reloaded from IndexedDB, the page told (error event, then a snapshot of everything); no tensors leak', async () => {
    const w = workers();
    const progress: ProgressEvent[] = [];
    const r = createWorkerRecommender({
      worker: w.factory, modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `crash${ns}`, pageFetch: tinyModelFetch(),
      policy: { tolerance: 100, learnAfter: 1000 }, onProgress: (e) => progress.push(e),
    });
    cleanup.push(() => r.dispose());
    await r.ready;
    for (let i = 0; i < 6; i++) await r.record({ itemId: 20 + i, type: 'like', at: 1000 + i });
    await r.recommend({ count: 5 });
    const tensorsOfOneEngine = tf.memory().numTensors;
    const versionBefore = (await r.state()).version;
    // Crash on the first fine-tuning step.
    const learning = r.learn({ force: true });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => { if (progress.some((e) => e.status === 'learning')) { clearInterval(t); resolve(); } }, 5);
    });
    w.crash(0, 'RuntimeError: memory access out of bounds');
    const err = await learning.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalRecError);
    expect(err).toMatchObject({ code: 'WORKER_CRASHED' });
    const told = progress.find((e) => e.status === 'error');
    expect(told).toMatchObject({ during: 'worker', code: 'WORKER_CRASHED' });
    expect(told?.status === 'error' && told.message).toMatch(/memory access out of bounds.*restarted.*reloaded from this browser's storage/);
    expect(w.started).toHaveLength(2);
    // The new worker reloaded the history from IndexedDB and announced everything as one newer snapshot.
    await new Promise<void>((resolve) => {
      const t = setInterval(() => { if (progress.some((e) => e.status === 'updated' && e.what === 'all')) { clearInterval(t); resolve(); } }, 5);
    });
    const all = progress.find((e) => e.status === 'updated' && e.what === 'all');
    expect(all?.status === 'updated' && all.snapshot.version).toBeGreaterThan(versionBefore);
    expect(all?.status === 'updated' && all.snapshot.status.interactions).toBe(6);
    expect((await r.history()).map((e) => e.itemId)).toEqual([20, 21, 22, 23, 24, 25]);
    expect((await r.state()).version).toBeGreaterThan(versionBefore);
    const feed = await r.recommend({ count: 5 });
    expect(feed.every((x) => x.source === 'model')).toBe(true);
    // The run lost with the old worker runs again in the new one.
    expect((await r.learn({ force: true })).accepted).toBe(true);
    await w.started[0].engineGone;
    await r.recommend({ count: 5 });
    // The old engine's tensors are gone with it; the new one holds what one engine holds.
    expect(tf.memory().numTensors).toBe(tensorsOfOneEngine);
  });

  it('crashing again and again: after three restarts a minute it stops and says to reload', async () => {
    const w = workers();
    const progress: ProgressEvent[] = [];
    const r = createWorkerRecommender({ worker: w.factory, modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `again${ns}`, pageFetch: tinyModelFetch(), onProgress: (e) => progress.push(e) });
    cleanup.push(async () => { await r.dispose(); await Promise.all(w.started.map((s) => s.engineGone)); });
    await r.ready;
    for (let i = 0; i < 3; i++) {
      w.crash(i, `boom ${i}`);
      await new Promise<void>((resolve) => {
        const t = setInterval(() => { if (progress.filter((e) => e.status === 'updated' && e.what === 'all').length > i) { clearInterval(t); resolve(); } }, 5);
      });
    }
    w.crash(3, 'boom 3');
    await expect(r.status()).rejects.toThrow(/failed to start or crashed \(boom 3\)\. Reload the page/);
    expect(w.started).toHaveLength(4);
  });

  it('before the model loaded: no restart loop, `ready` rejects with the reason', async () => {
    const w = workers();
    const r = createWorkerRecommender({ worker: w.factory, modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `early${ns}`, pageFetch: tinyModelFetch() });
    cleanup.push(async () => { await r.dispose(); await Promise.all(w.started.map((s) => s.engineGone)); });
    w.crash(0, 'SyntaxError in the worker script');
    await expect(r.ready).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    expect(w.started).toHaveLength(1);
  });
});
