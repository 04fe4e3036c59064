import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryFileCache } from '../engine/loading/fileCache';
import { createRecommender as createInProcess } from '../engine/recommender/createRecommender';
import { exposeRecommender } from '../engine/rpc/exposeRecommender';
import type { MessagePortLike } from '../engine/rpc/protocol';
import { TINY_MODEL_URL, tinyModelFetch } from '../engine/testing/tinyModelFetch';
import { createRecommender, LocalRecError, storageNames, type ProgressEvent, type Recommender } from './index';

/** A Worker stand-in: one end of a MessageChannel, the in-process engine on the other (as src/lib/worker.ts does). */
class ChannelWorker {
  static urls: string[] = [];
  private readonly port: MessagePort;
  private readonly other: MessagePort;
  constructor(url: string | URL) {
    ChannelWorker.urls.push(String(url));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.other = port2;
    port1.start();
    port2.start();
    exposeRecommender(port2 as unknown as MessagePortLike, (o) => createInProcess({ ...o, fetch: tinyModelFetch(), cache: memoryFileCache() }));
  }
  postMessage(m: unknown): void {
    this.port.postMessage(m);
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void): void {
    if (type === 'message') this.port.addEventListener('message', l);
  }
  removeEventListener(type: string, l: (ev: MessageEvent) => void): void {
    this.port.removeEventListener('message', l);
  }
  terminate(): void {
    this.port.close();
    this.other.close();
  }
}

const engines: Recommender[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.dispose();
  vi.unstubAllGlobals();
  ChannelWorker.urls = [];
});

function start(namespace: string, onProgress?: (e: ProgressEvent) => void, workerUrl?: string): Recommender {
  vi.stubGlobal('Worker', ChannelWorker);
  vi.stubGlobal('location', new URL('http://test.local/shop/page.html'));
  vi.stubGlobal('fetch', tinyModelFetch());
  const engine = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'cpu', namespace, onProgress, workerUrl });
  engines.push(engine);
  return engine;
}

describe('createRecommender (page entry)', () => {
  it('starts its worker (URL relative to the page) and serves the Recommender through it', async () => {
    const progress: ProgressEvent[] = [];
    const engine = start('page1', (e) => progress.push(e), 'lib/localrec-worker.js');
    expect(ChannelWorker.urls).toEqual(['http://test.local/shop/lib/localrec-worker.js']);
    const first = await engine.recommend({ count: 4 });
    expect(first).toHaveLength(4);
    expect(first.every((r) => r.source === 'popular')).toBe(true);
    const info = await engine.ready;
    expect(info).toMatchObject({ backend: 'cpu', threads: false, numItems: 48 });
    await engine.record({ itemId: 10, type: 'like', at: 1 });
    expect((await engine.recommend({ count: 3, discover: 0 }))[0]).toMatchObject({ itemId: 11, source: 'model' });
    expect(await engine.history()).toEqual([{ itemId: 10, type: 'like', at: 1 }]);
    expect((await engine.explain(11)).because[0]?.itemId).toBe(10);
    expect(progress.some((e) => e.status === 'ready' && e.backend === 'cpu')).toBe(true);
    expect(progress.some((e) => e.status === 'updated')).toBe(true);
  });

  it('starts a worker on another origin through a blob shim; export / delete round-trip', async () => {
    const engine = start('page2', undefined, 'https://cdn.example/localrec/localrec-worker.js');
    expect(ChannelWorker.urls[0]).toMatch(/^blob:/);
    await engine.ready;
    await engine.record({ itemId: 3, type: 'view', at: 5 });
    const bundle = await engine.exportData();
    expect(bundle).toMatchObject({ format: 'localrec-export', events: [{ itemId: 3, type: 'view', at: 5 }] });
    await engine.deleteData();
    expect(await engine.history()).toEqual([]);
    expect(await engine.importData(bundle)).toMatchObject({ events: 1 });
    expect(await engine.history()).toHaveLength(1);
  });

  it('rebuilds worker errors as LocalRecError with their code; bad imports change nothing', async () => {
    const engine = start('page3');
    await engine.ready;
    await engine.record({ itemId: 7, type: 'like', at: 1 });
    const err = await engine.importData({ format: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalRecError);
    expect(err).toMatchObject({ code: 'IMPORT_INVALID' });
    expect(await engine.history()).toHaveLength(1);
    await engine.dispose();
    await expect(engine.recommend({ count: 1 })).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('names its storage by namespace', () => {
    expect(storageNames('shop')).toEqual({ database: 'localrec:shop', modelCache: 'localrec-models-v1' });
    expect(storageNames().database).toBe('localrec:default');
  });
});
