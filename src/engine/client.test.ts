import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerRecommender, type WorkerLike } from './client';
import { DeviceUnavailableError, LocalRecError, ModelLoadError } from './errors';
import { memoryFileCache } from './loading/fileCache';
import { createRecommender } from './recommender/createRecommender';
import { applySnapshot } from './recommender/engineState';
import type { EngineState, ProgressEvent, Recommender } from './recommender/types';
import { exposeRecommender } from './rpc/exposeRecommender';
import type { MessagePortLike, RpcRequest } from './rpc/protocol';
import { TINY_MODEL_URL, tinyModelFetch, type FakeFetch } from './testing/tinyModelFetch';

let ns = 0;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
  ns++;
});

/** A worker stand-in: the two ends of a MessageChannel, engine on one side. */
function connect(fetch: FakeFetch = tinyModelFetch(), onProgress?: (e: ProgressEvent) => void): Recommender {
  const { port1, port2 } = new MessageChannel();
  port1.start();
  port2.start();
  exposeRecommender(port2 as unknown as MessagePortLike, (o) => createRecommender({ ...o, fetch, cache: memoryFileCache() }));
  const worker: WorkerLike = Object.assign(port1 as unknown as MessagePortLike, { addEventListener: port1.addEventListener.bind(port1) as WorkerLike['addEventListener'] });
  const r = createWorkerRecommender({ worker, modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `rpc${ns}`, onProgress, pageFetch: tinyModelFetch() });
  cleanup.push(async () => { await r.dispose().catch(() => {}); port1.close(); port2.close(); });
  return r;
}

/** The same worker stand-in, recording the page's calls by method; `port` is the page's end. */
function countingWorker(): { worker: WorkerLike; calls: string[]; port: MessagePort; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  port1.start();
  port2.start();
  exposeRecommender(port2 as unknown as MessagePortLike, (o) => createRecommender({ ...o, fetch: tinyModelFetch(), cache: memoryFileCache() }));
  const calls: string[] = [];
  const post = port1.postMessage.bind(port1);
  const worker: WorkerLike = Object.assign(port1 as unknown as MessagePortLike, {
    addEventListener: port1.addEventListener.bind(port1) as WorkerLike['addEventListener'],
    postMessage: (m: RpcRequest) => {
      if (m.kind === 'call') calls.push(m.method);
      post(m);
    },
  });
  return { worker, calls, port: port1, close: () => { port1.close(); port2.close(); } };
}

describe('worker RPC', () => {
  it('serves the Recommender interface and forwards progress', async () => {
    const progress: ProgressEvent[] = [];
    const r = connect(undefined, (e) => progress.push(e));
    const info = await r.ready;
    expect(info.backend).toBe('wasm');
    await r.record({ itemId: 10, type: 'like', at: 1 });
    const feed = await r.recommend({ count: 3, discover: 0 });
    expect(feed[0]).toMatchObject({ itemId: 11, source: 'model' });
    expect((await r.history()).length).toBe(1);
    expect((await r.status()).interactions).toBe(1);
    expect(progress.some((e) => e.status === 'ready')).toBe(true);
    expect(progress.some((e) => e.status === 'updated' && e.what === 'history')).toBe(true);
  });

  it('rebuilds errors as the same class with the same code', async () => {
    const r = connect();
    await r.ready;
    const err = await r.recommend({ count: -1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalRecError);
    expect(err).toMatchObject({ name: 'LocalRecError', code: 'INVALID_INPUT' });
    const bad = connect(tinyModelFetch((f, b) => (f === 'catalog.json' ? null : b)));
    const loadErr = await bad.ready.catch((e: unknown) => e);
    expect(loadErr).toBeInstanceOf(ModelLoadError);
    expect(loadErr).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect((loadErr as Error).message).toContain('catalog.json');
  });

  it('a missing device crosses as DeviceUnavailableError with what is available', async () => {
    const { port1, port2 } = new MessageChannel();
    port1.start();
    port2.start();
    exposeRecommender(port2 as unknown as MessagePortLike, (o) => createRecommender({ ...o, fetch: tinyModelFetch(), cache: memoryFileCache() }));
    const worker: WorkerLike = Object.assign(port1 as unknown as MessagePortLike, { addEventListener: port1.addEventListener.bind(port1) as WorkerLike['addEventListener'] });
    const r = createWorkerRecommender({ worker, modelUrl: TINY_MODEL_URL, device: 'webgpu', namespace: `dev${ns}` });
    cleanup.push(async () => { await r.dispose().catch(() => {}); port1.close(); port2.close(); });
    const err = await r.ready.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnavailableError);
    expect(err).toMatchObject({ code: 'DEVICE_UNAVAILABLE', requested: 'webgpu', available: ['wasm', 'cpu'] });
  });

  it('after dispose, calls fail with DISPOSED', async () => {
    const r = connect();
    await r.ready;
    await r.dispose();
    await expect(r.status()).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('worker calls per interaction', () => {
  it('a like costs one call (record: its feed inputs are pushed behind the snapshot); re-ranks without history change cost none; the history never crosses again', async () => {
    const { worker, calls, close } = countingWorker();
    let state: EngineState | null = null;
    let rereads = 0;
    const snapshotsSeen: number[] = [];
    const r = createWorkerRecommender({
      worker,
      modelUrl: TINY_MODEL_URL,
      device: 'wasm',
      namespace: `calls${ns}`,
      pageFetch: tinyModelFetch(),
      onProgress: (e) => {
        if (e.status !== 'updated') return;
        snapshotsSeen.push(e.snapshot.version);
        const next = applySnapshot(state, e.snapshot);
        if (next === null) rereads++;
        else state = next;
      },
    });
    cleanup.push(async () => { await r.dispose().catch(() => {}); close(); });
    await r.ready;
    await r.setSettings({ autoLearn: false });
    state = await r.state();
    await r.recommend({ count: 12 });
    calls.length = 0;
    rereads = 0;
    // One interaction as the app does it: record, then re-rank once the snapshot arrived.
    await r.record({ itemId: 10, type: 'like', at: 5 });
    const afterLike = await r.recommend({ count: 12 });
    expect(calls).toEqual(['record']);
    expect(afterLike.map((x) => x.itemId)).not.toContain(10);
    expect(rereads).toBe(0);
    expect(state?.history).toEqual([{ itemId: 10, type: 'like', at: 5 }]);
    expect(state?.status.interactions).toBe(1);
    // Re-ranks that change no history (discover control, paging, seen toggle): ranked on the page.
    calls.length = 0;
    await r.recommend({ count: 12, discover: 0.8 });
    await r.recommend({ count: 24, discover: 0.8 });
    await r.recommend({ count: 12, includeSeen: true });
    expect(calls).toEqual([]);
    expect(snapshotsSeen.length).toBeGreaterThan(0);
  });
});

describe('new weights and new history: the worker pushes the feed\'s inputs', () => {
  it('every published weight or history change comes with its inputs; the page re-ranks without asking', async () => {
    const { worker, calls, port, close } = countingWorker();
    const pushes: number[] = [];
    port.addEventListener('message', (ev: MessageEvent) => { const m = ev.data as { kind: string; version?: number }; if (m.kind === 'inputs') pushes.push(m.version as number); });
    const weightVersions: number[] = [];
    const r = createWorkerRecommender({
      worker, modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `push${ns}`, pageFetch: tinyModelFetch(),
      policy: { steps: 4, validateEvery: 2, tolerance: 100, learningRate: 0.01 },
      onProgress: (e) => { if (e.status === 'updated' && e.what === 'checkpoint') weightVersions.push(e.snapshot.version); },
    });
    cleanup.push(async () => { await r.dispose().catch(() => {}); close(); });
    await r.ready;
    await r.setSettings({ autoLearn: false });
    for (const [i, itemId] of [10, 12, 14, 16, 18, 20].entries()) await r.record({ itemId, type: 'like', at: i });
    const before = await r.recommend({ count: 10, discover: 0 });
    calls.length = 0;
    pushes.length = 0;
    const report = await r.learn({ force: true });
    expect(report.accepted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the last push is posted after learn() answers
    // Served early (step 1) and at the end: each publication pushed with its snapshot version.
    expect(weightVersions.length).toBe(2);
    expect(pushes).toEqual(weightVersions);
    // The page ranks the new weights from the push: no rankInputs call, the engine's own feed.
    const after = await r.recommend({ count: 10, discover: 0 });
    expect(calls).toEqual(['learn']);
    expect(after.map((x) => x.score)).not.toEqual(before.map((x) => x.score));
    const direct = await createRecommender({ modelUrl: TINY_MODEL_URL, fetch: tinyModelFetch(), cache: memoryFileCache(), device: 'wasm', namespace: `push${ns}` });
    cleanup.push(() => direct.dispose());
    await direct.ready;
    const engineFeed = await direct.recommend({ count: 10, discover: 0 });
    expect(after.map((x) => x.itemId)).toEqual(engineFeed.map((x) => x.itemId));
    after.forEach((x, i) => expect(x.score).toBeCloseTo(engineFeed[i].score, 4));
    // A history change after the push: its own inputs are pushed with its snapshot version, and
    // the page ranks the new history from them (the weights' push is for older history).
    calls.length = 0;
    pushes.length = 0;
    await r.record({ itemId: 22, type: 'like', at: 9 });
    const liked = await r.recommend({ count: 10, discover: 0 });
    expect(calls).toEqual(['record']);
    expect(liked.map((x) => x.itemId)).not.toContain(22);
    expect(pushes).toEqual([(await r.state()).version]);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the direct engine hears about it from the other "tab"
    const engineLiked = await direct.recommend({ count: 10, discover: 0 });
    expect(liked.map((x) => x.itemId)).toEqual(engineLiked.map((x) => x.itemId));
  });
});

describe('page-side ranking', () => {
  it('gives the engine\'s feed for every option (scores within float error: one side may append incrementally, the other run tfjs), and follows history, settings and weights', async () => {
    const progress: ProgressEvent[] = [];
    const r = connect(undefined, (e) => progress.push(e));
    await r.ready;
    await r.setSettings({ autoLearn: false });
    const direct = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `rpc${ns}`, fetch: tinyModelFetch(), cache: memoryFileCache() });
    cleanup.push(() => direct.dispose());
    await direct.ready;
    const same = async () => {
      for (const o of [{ count: 12 }, { count: 12, discover: 0 }, { count: 10, offset: 10, discover: 1 }, { count: 48, includeSeen: true, discover: 0.5 }]) {
        const [page, engine] = [await r.recommend(o), await direct.recommend(o)];
        expect(page.map(({ itemId, source }) => ({ itemId, source }))).toEqual(engine.map(({ itemId, source }) => ({ itemId, source })));
        page.forEach((x, i) => expect(x.score).toBeCloseTo(engine[i].score, 4));
      }
    };
    await same(); // no history: the popular list
    for (const [i, id] of [24, 23, 22].entries()) await r.record({ itemId: id, type: 'like', at: 10 + i });
    await r.record({ itemId: 9, type: 'dislike', at: 20 });
    await new Promise((res) => setTimeout(res, 30)); // the direct engine hears about it from the other "tab"
    await same();
    expect((await r.recommend({ count: 47 })).map((x) => x.itemId)).not.toContain(24);
    await r.setSettings({ discover: 1 });
    await new Promise((res) => setTimeout(res, 30));
    await same();
    const learned = await r.learn({ force: true });
    await new Promise((res) => setTimeout(res, 30));
    if (learned.accepted) await same();
    await expect(r.recommend({ count: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('page-side cold start', () => {
  it('serves the same popular feed as the engine before the worker answers, without seen items', async () => {
    const namespace = `cold${ns}`;
    const engine = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'cpu', namespace, fetch: tinyModelFetch(), cache: memoryFileCache() });
    cleanup.push(() => engine.dispose());
    await engine.record({ itemId: 6, type: 'view', at: 1 });
    await engine.record({ itemId: 6, type: 'dislike', at: 2 });
    const expected = await engine.recommend({ count: 8 });
    // A worker that never answers: everything the page shows comes from the page itself.
    const { port1 } = new MessageChannel();
    const silent: WorkerLike = Object.assign(port1 as unknown as MessagePortLike, { addEventListener: port1.addEventListener.bind(port1) as WorkerLike['addEventListener'] });
    const fetch = tinyModelFetch();
    const r = createWorkerRecommender({ worker: silent, modelUrl: TINY_MODEL_URL, namespace, pageFetch: fetch });
    const feed = await r.recommend({ count: 8 });
    expect(feed).toEqual(expected);
    expect(feed.map((x) => x.itemId)).not.toContain(6);
    expect(fetch.calls).toEqual([`${TINY_MODEL_URL}manifest.json`, `${TINY_MODEL_URL}catalog.json`]);
    expect(await r.catalog()).toEqual(await engine.catalog());
    await expect(r.recommend({ count: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const t0 = Date.now();
    await r.dispose(); // the silent worker never answers: dispose still returns
    expect(Date.now() - t0).toBeLessThan(5000);
    await expect(r.ready).rejects.toMatchObject({ code: 'DISPOSED' });
    port1.close();
  });
});

describe('client bundle', () => {
  it('client.ts reaches no TensorFlow.js module', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)) {
        const spec = m[1];
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^@tensorflow/);
        if (spec.startsWith('.')) visit(resolve(dirname(file), `${spec}.ts`));
      }
    };
    visit(join(import.meta.dirname, 'client.ts'));
    expect(seen.size).toBeGreaterThan(2);
  });
});
