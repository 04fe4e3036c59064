import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFileCache } from '../loading/fileCache';
import { resolveModelUrl } from '../loading/fetchModelFiles';
import { LocalStore } from '../store/localStore';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
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
});
