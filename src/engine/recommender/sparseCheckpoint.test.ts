import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { memoryFileCache } from '../loading/fileCache';
import { resolveModelUrl } from '../loading/fetchModelFiles';
import { interpretEvents } from '../signals';
import { makeBundle, validateBundle } from '../store/exportBundle';
import { LocalStore } from '../store/localStore';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
import { resolvePolicy } from '../train/finetunePolicy';
import { rowParameterRows } from '../train/sparseRows';
import { LiveModel } from './liveModel';
import { loadModelFolder } from './loadModelFolder';
import { trainCheckpoint } from './trainCheckpoint';

async function loadTiny() {
  return loadModelFolder({ folder: resolveModelUrl(TINY_MODEL_URL), device: 'wasm', fetch: tinyModelFetch(), cache: memoryFileCache(), onProgress: () => {}, onCatalog: () => {}, signal: new AbortController().signal });
}

const likes = [24, 23, 22, 21, 20, 19, 18, 17].map((itemId, i) => ({ itemId, type: 'like' as const, at: i + 1 }));

describe('sparse checkpoints (large catalogs: only the item rows learning changed)', () => {
  it('a sampled weight run stores changed item rows only, round-trips through IndexedDB and an export bundle, and reloads to the same weights', async () => {
    const loaded = await loadTiny();
    const store = new LocalStore('sparse-ckpt');
    const live = new LiveModel(loaded, resolvePolicy({}), store);
    await live.reload();
    const tensors = tf.memory().numTensors;
    const policy = resolvePolicy({ adapter: 'none', softmax: 'sampled', sampledNegatives: 8, steps: 4, validateEvery: 2, tolerance: 100 });
    const { result, accepted } = await trainCheckpoint({
      model: loaded.model, pretrained: loaded.pretrained, modelId: loaded.modelId, history: interpretEvents(likes),
      eventCount: likes.length, policy, previous: null,
    });
    expect(result.softmax).toBe('sampled');
    expect(accepted).not.toBeNull();
    if (!accepted) return;
    const checkpoint = await accepted.checkpoint();
    const trained = (await (accepted.weights.get('item_emb') as tf.Tensor).data()) as Float32Array;
    accepted.dispose();
    expect(tf.memory().numTensors).toBe(tensors);

    // item_emb is stored by rows: fewer rows than the table, none of them padding, no dense copy.
    const rows = checkpoint.sparse?.item_emb;
    const dim = loaded.model.config.dim;
    expect(checkpoint.weights.item_emb).toBeUndefined();
    expect(rows).toBeDefined();
    if (!rows) return;
    expect(rows.ids.length).toBeGreaterThan(0);
    expect(rows.ids.length).toBeLessThan(loaded.model.config.numItems + 1);
    expect(rows.values.length).toBe(rows.ids.length * dim);
    expect(checkpoint.optimizer?.rows?.item_emb).toBeDefined();
    expect(checkpoint.optimizer?.m.item_emb).toBeUndefined();
    // Every stored row differs from the pretrained one; every other row equals it.
    const base = (await (loaded.pretrained.get('item_emb') as tf.Tensor).data()) as Float32Array;
    const stored = new Set(rows.ids);
    for (let r = 0; r <= loaded.model.config.numItems; r++) {
      const same = trained.subarray(r * dim, (r + 1) * dim).every((v, c) => v === base[r * dim + c]);
      expect(same).toBe(!stored.has(r));
    }

    // IndexedDB round trip, then the live model takes it: the pretrained table with the rows written over it.
    await store.putCheckpoint(checkpoint);
    await live.reload();
    expect(live.lastCheck.kind).toBe('ok');
    expect(live.checkpoint?.sparse?.item_emb.ids).toEqual(rows.ids);
    expect(await loaded.model.w('item_emb').data()).toEqual(trained);
    expect(checkpoint.weights['block1/ffn_w1']).toBeInstanceOf(Float32Array);
    expect(await loaded.model.w('block1/ffn_w1').data()).toEqual(checkpoint.weights['block1/ffn_w1']);

    // An export bundle carries the rows (and their moments) bit-exactly.
    const bundle = JSON.parse(JSON.stringify(makeBundle('tiny', likes, { discover: 0.2, autoLearn: true, onboarded: true }, checkpoint)));
    const target = {
      numItems: loaded.model.config.numItems, modelId: loaded.modelId,
      weightSizes: live.weightSizes, weightRows: rowParameterRows(loaded.model.weights),
    };
    const back = validateBundle(bundle, target).checkpoint;
    expect(back?.sparse?.item_emb.ids).toEqual(rows.ids);
    expect(back?.sparse?.item_emb.values).toEqual(rows.values);
    expect(back?.optimizer?.rows?.item_emb.m).toEqual(checkpoint.optimizer?.rows?.item_emb.m);
    // A damaged row id in the bundle is named, nothing is applied.
    const bad = structuredClone(bundle) as { checkpoint: { sparse: { item_emb: { ids: string } } } };
    bad.checkpoint.sparse.item_emb.ids = btoa(String.fromCharCode(...new Uint8Array(Int32Array.from([9999]).buffer)));
    expect(() => validateBundle(bad, target)).toThrow(/checkpoint\.sparse\.item_emb\.(ids has row 9999|values has)/);

    // Back to pretrained when the checkpoint goes.
    await store.deleteCheckpoint();
    await live.reload();
    expect(await loaded.model.w('item_emb').data()).toEqual(base);
    live.dispose();
    store.close();
  });

  it.each(['lora', 'bias'] as const)('a sampled %s adapter run stores its adapter, no rows and no item moments, and reloads to the same weights', async (kind) => {
    const loaded = await loadTiny();
    const store = new LocalStore(`sparse-adapter-${kind}`);
    const live = new LiveModel(loaded, resolvePolicy({}), store);
    await live.reload();
    const tensors = tf.memory().numTensors;
    const policy = resolvePolicy({ adapter: kind, adapterRank: 2, softmax: 'sampled', sampledNegatives: 8, steps: 4, validateEvery: 2, learningRate: 0.01, tolerance: 100 });
    const { result, accepted } = await trainCheckpoint({
      model: loaded.model, pretrained: loaded.pretrained, modelId: loaded.modelId, history: interpretEvents(likes),
      eventCount: likes.length, policy, previous: null,
    });
    expect(result.softmax).toBe('sampled');
    expect(accepted).not.toBeNull();
    if (!accepted) return;
    const checkpoint = await accepted.checkpoint();
    const served = new Map<string, Float32Array>();
    for (const [n, t] of accepted.weights) served.set(n, (await t.data()) as Float32Array);
    accepted.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(checkpoint.adapter?.kind).toBe(kind);
    expect(checkpoint.sparse).toBeUndefined();
    expect(checkpoint.weights).toEqual({});
    expect(checkpoint.optimizer?.rows).toBeUndefined();
    expect(Object.keys(checkpoint.optimizer?.m ?? {}).sort()).toEqual(Object.keys(checkpoint.adapter?.tensors ?? {}).sort());
    // The item table is served as pretrained; the live model reloads the adapter to the served weights.
    expect(served.get('item_emb')).toEqual(await loaded.pretrained.get('item_emb')?.data());
    await store.putCheckpoint(checkpoint);
    await live.reload();
    expect(live.lastCheck.kind).toBe('ok');
    for (const [n, w] of served) {
      const now = (await loaded.model.w(n).data()) as Float32Array;
      w.forEach((v, i) => expect(now[i]).toBeCloseTo(v, 5));
    }
    await store.deleteCheckpoint();
    live.dispose();
    store.close();
  });
});
