import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SasRec } from '../model/sasrec';
import { PersonScores } from '../recommender/personScores';
import type { InteractionEvent } from '../recommender/types';
import { interpretEvents } from '../signals';
import { useBackend } from '../testing/backend';
import { tinyConfig } from '../testing/fixtures';
import { freeTiny, loadTinyWithPretrained, type TinyWithPretrained } from '../testing/tinyModel';
import { resolvePolicy } from '../train/finetunePolicy';
import { penalizeNearDisliked } from './dislikePenalty';
import { ItemTables } from './itemTables';
import { NearDislikedCache } from './nearDisliked';
import { personalScores } from './personalScores';
import { scoreCatalog } from './scoreCatalog';

beforeAll(() => useBackend('wasm'));

let tiny: TinyWithPretrained;
beforeAll(() => { tiny = loadTinyWithPretrained(); });
afterAll(() => freeTiny(tiny));

/** A random model of the tiny architecture with content features (the item table = ID embedding + projection). */
function featureModel(): SasRec {
  const n = 40, f = 5;
  const features = tf.tensor2d(Float32Array.from({ length: (n + 1) * f }, (_, i) => ((i * 7) % 5) / 6), [n + 1, f]);
  return SasRec.create(tinyConfig({ numItems: n, numFeatures: f }), 11, features); // the model owns `features`
}

/**
 * Like / dislike / like / dislike of a liked item / a second dislike / un-dislike (a like of a
 * disliked item) / like, with the cache counts each step must show (hits, partial, full so far).
 */
const STEPS: { event: Omit<InteractionEvent, 'at'>; counts: [number, number, number] }[] = [
  { event: { itemId: 1, type: 'like' }, counts: [0, 0, 0] }, // no dislikes: no penalty at all
  { event: { itemId: 12, type: 'dislike' }, counts: [0, 0, 1] },
  { event: { itemId: 2, type: 'like' }, counts: [1, 0, 1] },
  { event: { itemId: 1, type: 'dislike' }, counts: [1, 1, 1] }, // a liked item disliked: one new row
  { event: { itemId: 15, type: 'view' }, counts: [2, 1, 1] },
  { event: { itemId: 18, type: 'dislike' }, counts: [2, 2, 1] },
  { event: { itemId: 12, type: 'like' }, counts: [2, 2, 2] }, // un-dislike: from scratch
  { event: { itemId: 3, type: 'like' }, counts: [3, 2, 2] },
  { event: { itemId: 12, type: 'dislike' }, counts: [3, 3, 2] },
];

const counts = (c: NearDislikedCache) => [c.counts.hits, c.counts.partial, c.counts.full];

describe('NearDislikedCache', () => {
  for (const [name, make] of [['the tiny model', () => tiny.model], ['a random model with content features', featureModel]] as const) {
    it(`gives the uncached penalty bit for bit over likes, dislikes and un-dislikes (${name}), and leaks nothing`, async () => {
      const model = make();
      const tables = new ItemTables(model);
      const cache = new NearDislikedCache();
      const viaAdjust = new NearDislikedCache();
      const policy = resolvePolicy({ dislikePenalty: 1.5 });
      const events: InteractionEvent[] = [];
      let settled = -1;
      for (const [i, step] of STEPS.entries()) {
        events.push({ ...step.event, at: i });
        const view = interpretEvents(events);
        const scores = await scoreCatalog(model, view.sequence, tables);
        const plain = await penalizeNearDisliked(model, scores, view.disliked, 1.5, tables);
        const before = tf.memory().numTensors;
        const cached = await penalizeNearDisliked(model, scores, view.disliked, 1.5, tables, cache);
        if (i > 1) expect(tf.memory().numTensors).toBe(before); // the unit table exists from step 1 on
        expect(cached).toEqual(plain);
        expect(counts(cache)).toEqual(step.counts);
        // The same through adjustScores (as PersonScores calls it), and against the table-less path.
        expect(await personalScores(model, view, policy, null, tables, viaAdjust)).toEqual(plain);
        expect(counts(viaAdjust)).toEqual(step.counts);
        const loose = await penalizeNearDisliked(model, scores, view.disliked, 1.5);
        for (let j = 1; j < plain.length; j++) expect(Math.abs(cached[j] - loose[j])).toBeLessThan(1e-4);
        if (i === 2) settled = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(settled);
      tables.dispose();
      if (model !== tiny.model) model.dispose();
    });
  }

  it('drops the vector when the weights change (ItemTables.invalidate), and returns it unchanged while they stay', async () => {
    const model = featureModel();
    const tables = new ItemTables(model);
    const cache = new NearDislikedCache();
    const a = await cache.similarity(model, [3, 7], tables);
    expect(await cache.similarity(model, [7, 3], tables)).toBe(a); // same set, any order
    tf.tidy(() => { const w = model.w('item_emb'); w.assign(tf.mul(w, tf.randomUniform(w.shape, 0.2, 2, 'float32', 5))); });
    tables.invalidate();
    const b = await cache.similarity(model, [3, 7], tables);
    expect(counts(cache)).toEqual([1, 0, 2]);
    expect(b).toEqual(await new NearDislikedCache().similarity(model, [3, 7], tables));
    expect(b).not.toEqual(a);
    // A different set of fewer ids: from scratch; clear(): from scratch.
    await cache.similarity(model, [3], tables);
    cache.clear();
    await cache.similarity(model, [3], tables);
    expect(counts(cache)).toEqual([1, 0, 4]);
    tables.dispose();
    model.dispose();
  });
});

describe('PersonScores with the dislike cache', () => {
  it('reuses the vector on likes, extends it on a new dislike, drops it on new weights; scores as without the cache', async () => {
    const model = featureModel();
    const policy = resolvePolicy({ dislikePenalty: 1 });
    const ps = new PersonScores(model, policy, null, { incremental: false });
    const events: InteractionEvent[] = [];
    const read = (version: number) => ({ events: events.slice(), view: interpretEvents(events), version });
    const check = async (version: number) => {
      const h = read(version);
      const got = await ps.scores(h);
      expect(got).toEqual(await personalScores(model, h.view, policy, null, ps.tables));
    };
    events.push({ itemId: 4, type: 'like', at: 1 }, { itemId: 9, type: 'dislike', at: 2 });
    await check(1);
    events.push({ itemId: 5, type: 'like', at: 3 });
    await check(2);
    events.push({ itemId: 30, type: 'dislike', at: 4 });
    await check(3);
    expect(counts(ps.near)).toEqual([1, 1, 1]);
    const held = tf.memory().numTensors;
    tf.tidy(() => { const w = model.w('item_emb'); w.assign(tf.mul(w, 0.5)); });
    ps.weightsChanged();
    await check(3);
    expect(counts(ps.near)).toEqual([1, 1, 2]);
    expect(tf.memory().numTensors).toBe(held);
    ps.dispose();
    model.dispose();
  });
});
