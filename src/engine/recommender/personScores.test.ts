import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../loading/parseModelFiles';
import type { SasRec } from '../model/sasrec';
import { penalizeNearDisliked } from '../rank/dislikePenalty';
import { ItemTables } from '../rank/itemTables';
import { personalScores } from '../rank/personalScores';
import { scoreCatalog } from '../rank/scoreCatalog';
import { interpretEvents } from '../signals';
import { tinyModelFile } from '../testing/tinyModelFetch';
import { resolvePolicy } from '../train/finetunePolicy';
import type { HistoryRead } from './historyCache';
import { PersonScores } from './personScores';
import type { InteractionEvent } from './types';

function loadTiny(): SasRec {
  return parseModel(new Map(['model.json', 'weights.bin'].map((f) => [f, tinyModelFile(f).slice().buffer as ArrayBuffer])));
}
const POLICY = resolvePolicy({});
function historyRead(events: InteractionEvent[], version: number): HistoryRead {
  return { events, view: interpretEvents(events), version };
}
const likes = (ids: number[]): InteractionEvent[] => ids.map((itemId, i) => ({ itemId, type: 'like', at: i }));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => (i === 0 ? m : Math.max(m, Math.abs(x - b[i]))), 0);

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('ItemTables and cached scoring', () => {
  it('scores and the dislike penalty with the cached table equal the uncached ones', async () => {
    const model = loadTiny();
    const tables = new ItemTables(model);
    const plain = await scoreCatalog(model, [3, 9, 10]);
    const cached = await scoreCatalog(model, [3, 9, 10], tables);
    expect(maxDiff(plain, cached)).toBeLessThan(1e-4);
    expect(cached[0]).toBeLessThan(-1e8);
    const p1 = await penalizeNearDisliked(model, plain, [20, 4], 1.5);
    const p2 = await penalizeNearDisliked(model, plain, [20, 4], 1.5, tables);
    expect(maxDiff(p1, p2)).toBeLessThan(1e-4);
    const view = interpretEvents([...likes([3, 9, 10]), { itemId: 20, type: 'dislike', at: 9 }]);
    expect(maxDiff(await personalScores(model, view, POLICY), await personalScores(model, view, POLICY, null, tables))).toBeLessThan(1e-4);
    tables.dispose();
    model.dispose();
  });

  it('holds its tensors across calls (no growth) and frees them on invalidate and dispose', async () => {
    const model = loadTiny();
    const tables = new ItemTables(model);
    const start = tf.memory().numTensors;
    await penalizeNearDisliked(model, await scoreCatalog(model, [1, 2], tables), [5], 1, tables);
    expect(tables.size).toBe(3);
    const warm = tf.memory().numTensors;
    expect(warm).toBe(start + 3);
    for (let i = 0; i < 5; i++) await penalizeNearDisliked(model, await scoreCatalog(model, [1, 2, i + 3], tables), [5], 1, tables);
    expect(tf.memory().numTensors).toBe(warm);
    tables.invalidate();
    expect(tf.memory().numTensors).toBe(start);
    await scoreCatalog(model, [1], tables);
    tables.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });
});

describe('PersonScores', () => {
  it('computes once per (weights, history) version; a new history or new weights recompute', async () => {
    const model = loadTiny();
    const ps = new PersonScores(model, POLICY, null);
    const h1 = historyRead(likes([1, 2, 3]), 1);
    const a = await ps.scores(h1);
    expect(await ps.scores(h1)).toBe(a);
    expect(ps.computed).toBe(1);
    const h2 = historyRead(likes([1, 2, 3, 4]), 2);
    const b = await ps.scores(h2);
    expect(ps.computed).toBe(2);
    expect(maxDiff(a, b)).toBeGreaterThan(0);
    await ps.scores(historyRead(likes([1, 2, 3, 4]), -1)); // not cacheable: always computed
    expect(ps.computed).toBe(3);
    // New weights (as after fine-tuning or a reset): same history, new scores.
    tf.tidy(() => { const w = model.w('item_emb'); w.assign(tf.mul(w, 0.5)); });
    ps.weightsChanged();
    const c = await ps.scores(h2);
    expect(ps.computed).toBe(4);
    expect(maxDiff(b, c)).toBeGreaterThan(1e-3);
    expect(maxDiff(c, await scoreCatalog(model, [1, 2, 3, 4]))).toBeLessThan(1e-4);
    const before = tf.memory().numTensors;
    ps.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    model.dispose();
  });

  it('warm() builds the item tables a re-rank reads, caches no scores, and changes no result', async () => {
    const model = loadTiny();
    const ps = new PersonScores(model, POLICY, null);
    const start = tf.memory().numTensors;
    await ps.warm(5);
    expect(ps.tables.size).toBe(2); // the table and its transpose, as a re-rank without dislikes leaves them
    expect(tf.memory().numTensors).toBe(start + 2);
    expect(ps.computed).toBe(0);
    const h = historyRead(likes([1, 2, 3]), 1);
    const warmed = await ps.scores(h);
    expect(ps.computed).toBe(1);
    expect(tf.memory().numTensors).toBe(start + 2);
    expect(maxDiff(warmed, await scoreCatalog(model, [1, 2, 3]))).toBeLessThan(1e-4);
    ps.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });
});
