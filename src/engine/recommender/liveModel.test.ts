import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFileCache } from '../loading/fileCache';
import { resolveModelUrl } from '../loading/fetchModelFiles';
import { LocalStore } from '../store/localStore';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
import { adapterShapes, type StoredAdapter } from '../train/adapters';
import { resolvePolicy } from '../train/finetunePolicy';
import { interpretEvents } from '../signals';
import { LiveModel } from './liveModel';
import { loadModelFolder } from './loadModelFolder';

let ns = 0;
afterEach(() => { ns++; });

async function loadTiny() {
  return loadModelFolder({ folder: resolveModelUrl(TINY_MODEL_URL), device: 'wasm', fetch: tinyModelFetch(), cache: memoryFileCache(), onProgress: () => {}, onCatalog: () => {}, signal: new AbortController().signal });
}
const history = { events: [], view: interpretEvents([{ itemId: 3, type: 'like', at: 1 }]), version: 1 };

describe('LiveModel', () => {
  it('assigns a checkpoint once; the same checkpoint again keeps the caches; a new one, a reset or force rebuild them', async () => {
    const loaded = await loadTiny();
    const store = new LocalStore(`live-${ns}`);
    const live = new LiveModel(loaded, resolvePolicy({}), store);
    await live.reload();
    const pretrained = await live.scoring.scores(history);
    await live.reload();
    expect(await live.scoring.scores(history)).toBe(pretrained); // same weights: cached scores
    const emb = loaded.model.w('item_emb');
    const changed = Float32Array.from(await emb.data(), (x) => x * 0.5);
    await store.putCheckpoint({ modelId: loaded.modelId, steps: 4, updatedAt: 1, trainedEvents: 1, weights: { item_emb: changed }, optimizer: null });
    await live.reload();
    expect(live.checkpoint?.steps).toBe(4);
    const tuned = await live.scoring.scores(history);
    expect(tuned).not.toBe(pretrained);
    expect(tuned[5]).not.toBeCloseTo(pretrained[5], 4);
    await live.reload({ force: true });
    expect(await live.scoring.scores(history)).not.toBe(tuned);
    await store.deleteCheckpoint();
    await live.reload();
    expect(live.checkpoint).toBeNull();
    const back = await live.scoring.scores(history);
    for (let i = 1; i < back.length; i++) expect(back[i]).toBeCloseTo(pretrained[i], 5);
    // A checkpoint of other pretrained weights is not used.
    await store.putCheckpoint({ modelId: 'other', steps: 9, updatedAt: 2, trainedEvents: 1, weights: { item_emb: changed }, optimizer: null });
    await live.reload();
    expect(live.checkpoint).toBeNull();
    const before = tf.memory().numTensors;
    live.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    store.close();
  });

  it('adopt serves weights without the store; commit records them; a reload waits for the write in flight, then follows the store', async () => {
    const loaded = await loadTiny();
    const store = new LocalStore(`live-${ns}`);
    const live = new LiveModel(loaded, resolvePolicy({}), store);
    await live.reload();
    const pretrained = await live.scoring.scores(history);
    const emb = loaded.model.w('item_emb');
    const changed = Float32Array.from(await emb.data(), (x) => x * 0.5);
    const t = tf.tensor(changed, emb.shape);
    live.adopt(new Map([['item_emb', t]]), null); // a run's validated weights, not stored
    t.dispose(); // the live variable keeps its own reference
    const served = await live.scoring.scores(history);
    expect(served).not.toBe(pretrained);
    expect(served[5]).not.toBeCloseTo(pretrained[5], 4);
    expect(live.checkpoint).toBeNull();
    // The run ends accepted: the checkpoint is recorded without touching the weights, then written.
    const checkpoint = { modelId: loaded.modelId, steps: 2, updatedAt: 5, trainedEvents: 1, weights: { item_emb: changed }, optimizer: null };
    live.commit(checkpoint);
    expect(await live.scoring.scores(history)).toBe(served); // same weights: cached scores
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const write = live.persist(gate.then(() => store.putCheckpoint(checkpoint)));
    const reloaded = live.reload(); // must not read the store before the write
    release();
    await write;
    await reloaded;
    expect(live.checkpoint?.steps).toBe(2);
    expect(await live.scoring.scores(history)).toBe(served); // the stored checkpoint is the live one
    // Served weights that were never stored go back to the stored ones on reload.
    live.adopt(new Map([['item_emb', loaded.pretrained.get('item_emb') as tf.Tensor]]), null);
    await live.reload();
    const back = await live.scoring.scores(history);
    for (let i = 1; i < back.length; i++) expect(back[i]).toBeCloseTo(served[i], 5);
    // A failed write is the caller's to report; reloads go on.
    await expect(live.persist(Promise.reject(new Error('quota')))).rejects.toThrow('quota');
    await live.reload();
    live.dispose();
    store.close();
  });

  it('reload merges a stored adapter over the pretrained weights; a damaged one is not used; nothing leaks', async () => {
    const loaded = await loadTiny();
    const store = new LocalStore(`live-${ns}`);
    const live = new LiveModel(loaded, resolvePolicy({}), store);
    await live.reload();
    const pretrained = await live.scoring.scores(history);
    const cfg = loaded.model.config;
    const tensors = Object.fromEntries([...adapterShapes(cfg, 'lora', 2)].map(([n, s], k) => [n, Float32Array.from({ length: s[0] * s[1] }, (_, i) => Math.sin(i + k) / 4)]));
    const adapter: StoredAdapter = { kind: 'lora', rank: 2, tensors };
    const before = tf.memory().numTensors;
    await store.putCheckpoint({ modelId: loaded.modelId, steps: 3, updatedAt: 7, trainedEvents: 1, weights: {}, optimizer: null, adapter });
    await live.reload();
    expect(live.lastCheck.kind).toBe('ok');
    expect(live.checkpoint?.adapter?.kind).toBe('lora');
    // block0/wq = pretrained + A B; weights the adapter does not touch stay pretrained.
    const [din, dout] = loaded.model.w('block0/wq').shape;
    const expected = tf.tidy(() => tf.add(loaded.pretrained.get('block0/wq') as tf.Tensor, tf.matMul(tf.tensor2d(tensors['lora/block0/wq/a'], [din, 2]), tf.tensor2d(tensors['lora/block0/wq/b'], [2, dout]))));
    const merged = await loaded.model.w('block0/wq').data();
    const want = await expected.data();
    expected.dispose();
    merged.forEach((x, i) => expect(x).toBeCloseTo(want[i], 5));
    expect(await loaded.model.w('item_emb').data()).toEqual(await (loaded.pretrained.get('item_emb') as tf.Tensor).data());
    const adapted = await live.scoring.scores(history);
    expect(adapted[5]).not.toBeCloseTo(pretrained[5], 4);
    // A damaged adapter (a NaN) is reported and the pretrained weights serve.
    const broken = Float32Array.from(tensors['lora/block0/wq/b']);
    broken[0] = Number.NaN;
    await store.putCheckpoint({ modelId: loaded.modelId, steps: 4, updatedAt: 8, trainedEvents: 1, weights: {}, optimizer: null, adapter: { ...adapter, tensors: { ...tensors, 'lora/block0/wq/b': broken } } });
    await live.reload();
    expect(live.lastCheck).toEqual({ kind: 'damaged', problem: 'the lora adapter does not fit this model: "lora/block0/wq/b" contains NaN or infinite values' });
    expect(live.checkpoint).toBeNull();
    const back = await live.scoring.scores(history);
    for (let i = 1; i < back.length; i++) expect(back[i]).toBeCloseTo(pretrained[i], 5);
    expect(tf.memory().numTensors).toBe(before);
    live.dispose();
    store.close();
  });
});
