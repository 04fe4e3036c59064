import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryFileCache } from '../loading/fileCache';
import { LocalStore } from '../store/localStore';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { TeacherCache } from '../train/teacherCache';
import { createRecommender, type LocalRecommenderOptions } from './createRecommender';
import type { ProgressEvent, Recommendation, Recommender } from './types';

let ns = 0;
const open: Recommender[] = [];
function make(policy: Partial<FinetunePolicy>, onProgress?: (e: ProgressEvent) => void, extra: Partial<LocalRecommenderOptions> = {}): Recommender {
  const r = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `learnrun${ns}`, fetch: tinyModelFetch(), cache: memoryFileCache(), policy, onProgress, ...extra });
  open.push(r);
  return r;
}
afterEach(async () => {
  for (const r of open.splice(0)) await r.dispose();
  ns++;
});
const at = (i: number) => 1_700_000_000_000 + i * 1000;
/** Accepts every step, and moves the weights enough to change the ranking. */
const POLICY: Partial<FinetunePolicy> = { tolerance: 100, learningRate: 0.05, maxDrift: 0.5, learnAfter: 1000 };
const scores = (feed: Recommendation[]) => feed.map((x) => [x.itemId, x.score]);

async function withHistory(r: Recommender): Promise<void> {
  await r.ready;
  for (let i = 0; i < 8; i++) await r.record({ itemId: 1 + ((i * 7) % 48), type: 'like', at: at(i) });
}

const MECHANISMS: [string, Partial<FinetunePolicy>][] = [
  ['a LoRA adapter (the default)', { adapter: 'lora', adapterRank: 2 }],
  ["the model's own weights", { adapter: 'none' }],
];

describe.each(MECHANISMS)('learnRun on %s: the feed adapts at the first validated step, the checkpoint is written after', (_name, mechanism) => {
  it('serves the first validated weights before the run ends and before anything is stored', async () => {
    let lastStep = 0;
    let atFirst: { step: number; stored: Promise<unknown>; feed: Promise<Recommendation[]> } | null = null;
    let r: Recommender | null = null;
    const store = new LocalStore(`learnrun${ns}`);
    r = make({ ...POLICY, ...mechanism, steps: 8, validateEvery: 2 }, (e) => {
      if (e.status === 'learning') lastStep = e.step;
      if (e.status === 'updated' && e.what === 'checkpoint' && !atFirst && r) {
        atFirst = { step: lastStep, stored: store.getCheckpoint(), feed: r.recommend({ count: 10, discover: 0 }) };
      }
    });
    await withHistory(r);
    const pre = await r.recommend({ count: 10, discover: 0 });
    const report = await r.learn({ force: true });
    expect(report.accepted).toBe(true);
    expect(report.steps).toBe(8);
    const first = atFirst as { step: number; stored: Promise<unknown>; feed: Promise<Recommendation[]> } | null;
    expect(first?.step).toBe(1); // served after the first validation (policy.firstValidation), 7 steps before the end
    expect(await first?.stored).toBeNull(); // nothing stored yet
    const early = await first?.feed;
    expect(scores(early ?? [])).not.toEqual(scores(pre));
    // At the end: the final (step 8) weights, stored, and identical to what a reload reads back.
    const final = await r.recommend({ count: 10, discover: 0 });
    expect(scores(final)).not.toEqual(scores(early ?? []));
    expect((await store.getCheckpoint())?.steps).toBe(8);
    await r.dispose();
    const reopened = make({ ...POLICY, ...mechanism });
    await reopened.ready;
    const again = await reopened.recommend({ count: 10, discover: 0 });
    expect(again.map((x) => x.itemId)).toEqual(final.map((x) => x.itemId));
    again.forEach((x, i) => expect(x.score).toBeCloseTo(final[i].score, 5));
    store.close();
  });

  it('a run discarded after its first validated weights were served puts the stored weights back', async () => {
    let r: Recommender | null = null;
    let reset: Promise<void> | null = null;
    r = make({ ...POLICY, ...mechanism, steps: 6, validateEvery: 2 }, (e) => {
      if (e.status === 'updated' && e.what === 'checkpoint' && !reset && r) reset = r.resetModel();
    });
    await withHistory(r);
    const pre = await r.recommend({ count: 10, discover: 0 });
    await r.recommend({ count: 10, discover: 0 });
    const before = tf.memory().numTensors;
    const report = await r.learn({ force: true });
    await reset;
    expect(report.accepted).toBe(false);
    expect(report.reason).toMatch(/discarded/);
    const after = await r.recommend({ count: 10, discover: 0 });
    expect(after.map((x) => x.itemId)).toEqual(pre.map((x) => x.itemId));
    after.forEach((x, i) => expect(x.score).toBeCloseTo(pre[i].score, 5));
    expect((await r.status()).personalized).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a rolled-back run changes nothing the feed reads and publishes no weights', async () => {
    const events: ProgressEvent[] = [];
    // Trained on scattered jumps across genres, validated on the item the model already expects
    // (8 after 7: the tiny model walks genres in id order), a large step and no tolerance: the
    // first validation fails and the run is rolled back.
    const r = make({ ...POLICY, ...mechanism, tolerance: 0, learningRate: 0.5, steps: 2, validateEvery: 1 }, (e) => events.push(e));
    await r.ready;
    for (const [i, itemId] of [10, 30, 45, 20, 5, 38, 7, 8].entries()) await r.record({ itemId, type: 'like', at: at(i) });
    const pre = await r.recommend({ count: 10, discover: 0 });
    events.length = 0;
    const report = await r.learn({ force: true });
    expect(report.reason).toMatch(/^rolled back: held-out item got worse at step 1/);
    expect(report.accepted).toBe(false);
    expect(events.some((e) => e.status === 'updated' && e.what === 'checkpoint')).toBe(false);
    // The same feed; scores within float error (one read may come from the incremental encoder,
    // the other from the tfjs pass, depending on when the idle-time rebuild ran).
    const after = await r.recommend({ count: 10, discover: 0 });
    expect(after.map((x) => x.itemId)).toEqual(pre.map((x) => x.itemId));
    after.forEach((x, i) => expect(x.score).toBeCloseTo(pre[i].score, 5));
  });
});

describe('learnRun: replay teachers', () => {
  it('the live model keeps the replay rows\' teachers across runs (per row: a later window hits the rows it shares) and frees them with the engine', async () => {
    const before = tf.memory().numTensors;
    const get = vi.spyOn(TeacherCache.prototype, 'get');
    try {
      // A pool of 3, 2 rows a run: 8 likes read rows 2, 0 ((8 x 7) mod 3 = 2), 9 likes rows 0, 1.
      const r = make({ ...POLICY, steps: 2, validateEvery: 2, replayRows: 2 }, undefined, { replay: [[33, 34, 35, 36, 37], [1, 2, 3, 4, 5, 6, 7], [9, 10, 11, 12]] });
      await withHistory(r);
      expect((await r.learn({ force: true })).accepted).toBe(true);
      expect(get.mock.results.filter((x) => x.value !== undefined)).toHaveLength(0);
      await r.record({ itemId: 10, type: 'like', at: at(8) });
      expect((await r.learn({ force: true })).accepted).toBe(true);
      expect(get.mock.results.filter((x) => x.value !== undefined)).toHaveLength(1);
      expect(get).toHaveBeenCalledTimes(4);
      await r.dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      get.mockRestore();
    }
  });
});

describe('learnRun with a per-person adapter: what is served early and at the end is pretrained + adapter', () => {
  const LORA: Partial<FinetunePolicy> = { ...POLICY, adapter: 'lora', adapterRank: 2, steps: 6, validateEvery: 2 };
  const WHOLE: Partial<FinetunePolicy> = { ...POLICY, adapter: 'none', steps: 4, validateEvery: 2 };
  const LAST_BLOCK: Partial<FinetunePolicy> = { ...POLICY, adapter: 'none', trainable: 'last-block', steps: 4, validateEvery: 2 };

  /** A run in a fresh engine on `name` (its data kept), with the feed at the first served step and at the end. */
  async function run(name: string, policy: Partial<FinetunePolicy>): Promise<{ early: Recommendation[]; final: Recommendation[]; reloaded: Recommendation[] }> {
    let early: Promise<Recommendation[]> | null = null;
    let r: Recommender | null = null;
    r = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: name, fetch: tinyModelFetch(), cache: memoryFileCache(), policy, onProgress: (e) => {
      if (e.status === 'updated' && e.what === 'checkpoint' && !early && r) early = r.recommend({ count: 10, discover: 0 });
    } });
    open.push(r);
    await r.ready;
    if ((await r.status()).interactions === 0) await withHistory(r);
    const report = await r.learn({ force: true });
    expect(report.accepted).toBe(true);
    const final = await r.recommend({ count: 10, discover: 0 });
    await r.dispose();
    const again = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: name, fetch: tinyModelFetch(), cache: memoryFileCache(), policy });
    open.push(again);
    await again.ready;
    const reloaded = await again.recommend({ count: 10, discover: 0 });
    await again.dispose();
    return { early: (await (early as Promise<Recommendation[]> | null)) ?? [], final, reloaded };
  }
  const same = (a: Recommendation[], b: Recommendation[]) => {
    expect(a.map((x) => x.itemId)).toEqual(b.map((x) => x.itemId));
    a.forEach((x, i) => expect(x.score).toBeCloseTo(b[i].score, 4));
  };

  it('after a whole-model checkpoint, a LoRA run serves exactly what a LoRA run from the pretrained weights serves, early and at the end, and stores it', async () => {
    const fresh = await run(`learnrun${ns}-fresh`, LORA);
    expect(fresh.early.length).toBe(10);
    same(fresh.final, fresh.reloaded);
    await run(`learnrun${ns}-switch`, WHOLE);
    const switched = await run(`learnrun${ns}-switch`, LORA);
    same(switched.early, fresh.early);
    same(switched.final, fresh.final);
    same(switched.reloaded, fresh.final);
    const stored = await new LocalStore(`learnrun${ns}-switch`).getCheckpoint();
    expect(stored?.adapter?.kind).toBe('lora');
    expect(stored?.weights).toEqual({});
  });

  it('after an adapter checkpoint, a last-block run starts from the pretrained weights: served and stored weights agree', async () => {
    const fresh = await run(`learnrun${ns}-fresh`, LAST_BLOCK);
    await run(`learnrun${ns}-switch`, LORA);
    const switched = await run(`learnrun${ns}-switch`, LAST_BLOCK);
    same(switched.early, fresh.early);
    same(switched.final, fresh.final);
    same(switched.reloaded, switched.final);
    const stored = await new LocalStore(`learnrun${ns}-switch`).getCheckpoint();
    expect(stored?.adapter).toBeUndefined();
  });
});
