import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFileCache } from '../loading/fileCache';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
import { LocalStore } from '../store/localStore';
import { adapterBytes } from '../train/adapters';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { createRecommender, type LocalRecommenderOptions } from './createRecommender';
import type { Recommender } from './types';

let ns = 0;
const open: Recommender[] = [];
function make(extra: Partial<LocalRecommenderOptions> = {}): Recommender {
  const r = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `adapter${ns}`, fetch: tinyModelFetch(), cache: memoryFileCache(), ...extra });
  open.push(r);
  return r;
}
afterEach(async () => {
  for (const r of open.splice(0)) await r.dispose();
  ns++;
});
const at = (i: number) => 1_700_000_000_000 + i * 1000;
const adapterPolicy = (adapter: FinetunePolicy['adapter']): Partial<FinetunePolicy> => ({ adapter, adapterRank: 2, learningRate: 0.05, tolerance: 10, maxDrift: 0.5 });
const feed = async (r: Recommender) => (await r.recommend({ count: 8, discover: 0 })).map((x) => [x.itemId, x.score] as const);

describe.each(['lora', 'bias', 'userEmbedding'] as const)('a %s adapter in the engine', (kind) => {
  it('is stored in IndexedDB instead of weights, reloads, exports, deletes and imports; no leaks', async () => {
    const r = make({ policy: adapterPolicy(kind) });
    await r.ready;
    for (let i = 0; i < 6; i++) await r.record({ itemId: 1 + ((i * 7) % 48), type: 'like', at: at(i) });
    const pre = await feed(r);
    const report = await r.learn({ force: true });
    expect(report.accepted).toBe(true);
    const tuned = await feed(r);
    expect(tuned).not.toEqual(pre);
    const stored = await new LocalStore(`adapter${ns}`).getCheckpoint();
    expect(stored?.adapter?.kind).toBe(kind);
    expect(stored?.weights).toEqual({});
    expect(adapterBytes(stored?.adapter as NonNullable<typeof stored>['adapter'] & object)).toBeLessThan(8 * 1024);
    // A second engine on the same data (a reload) ranks with the stored adapter.
    const again = make({ namespace: `adapter${ns}`, policy: adapterPolicy(kind) });
    await again.ready;
    const reloaded = await feed(again);
    reloaded.forEach(([id, s], k) => { expect(id).toBe(tuned[k][0]); expect(s).toBeCloseTo(tuned[k][1], 4); });
    await again.dispose();
    const bundle = JSON.parse(JSON.stringify(await r.exportData()));
    expect(bundle.checkpoint.adapter.kind).toBe(kind);
    await r.deleteData();
    expect((await r.status()).personalized).toBe(false);
    await r.importData(bundle);
    const imported = await feed(r);
    imported.forEach(([id, s], k) => { expect(id).toBe(tuned[k][0]); expect(s).toBeCloseTo(tuned[k][1], 4); });
    const before = tf.memory().numTensors;
    await r.learn({ force: true });
    await feed(r);
    await r.resetModel();
    await feed(r);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('checkpoints people already have', () => {
  it('a whole-model checkpoint keeps loading in an app that now learns adapters, and the next run starts an adapter from the pretrained weights', async () => {
    const old = make({ policy: { learningRate: 0.05, tolerance: 10, maxDrift: 0.5 } });
    await old.ready;
    for (let i = 0; i < 6; i++) await old.record({ itemId: 1 + ((i * 7) % 48), type: 'like', at: at(i) });
    expect((await old.learn({ force: true })).accepted).toBe(true);
    const oldFeed = await feed(old);
    await old.dispose();
    const next = make({ namespace: `adapter${ns}`, policy: adapterPolicy('lora') });
    await next.ready;
    const served = await feed(next);
    served.forEach(([id, s], k) => { expect(id).toBe(oldFeed[k][0]); expect(s).toBeCloseTo(oldFeed[k][1], 4); });
    expect((await next.learn({ force: true })).accepted).toBe(true);
    const stored = await new LocalStore(`adapter${ns}`).getCheckpoint();
    expect(stored?.adapter?.kind).toBe('lora');
    expect(stored?.weights).toEqual({});
  });
});
