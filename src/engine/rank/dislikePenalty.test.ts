import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../loading/parseModelFiles';
import type { SasRec } from '../model/sasrec';
import { interpretEvents } from '../signals';
import { tinyModelFile } from '../testing/tinyModelFetch';
import { resolvePolicy } from '../train/finetunePolicy';
import { penalizeNearDisliked } from './dislikePenalty';
import { personalScores } from './personalScores';
import { scoreCatalog } from './scoreCatalog';
import { blendShortHistory, popularityPrior } from './shortHistoryPrior';

function loadTiny(): SasRec {
  return parseModel(new Map(['model.json', 'weights.bin'].map((f) => [f, tinyModelFile(f).slice().buffer as ArrayBuffer])));
}
function std(xs: Float32Array): number {
  const v = [...xs].slice(1);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('penalizeNearDisliked', () => {
  it('moves the disliked item down by strength x spread, its genre more than other genres, and leaks nothing', async () => {
    const model = loadTiny();
    const s0 = await scoreCatalog(model, [1, 2, 3]);
    const before = tf.memory().numTensors;
    const s1 = await penalizeNearDisliked(model, s0, [20], 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(s0[20] - s1[20]).toBeCloseTo(2 * std(s0), 4); // cosine of an item with itself is 1
    const drop = (ids: number[]) => ids.reduce((a, i) => a + (s0[i] - s1[i]), 0) / ids.length;
    // Tiny world genres are blocks of 8 ids: 17..24 share item 20's genre.
    expect(drop([17, 18, 19, 21, 22, 23, 24])).toBeGreaterThan(drop([1, 2, 3, 4, 5, 6, 7, 8]));
    for (let i = 1; i < s0.length; i++) expect(s1[i]).toBeLessThanOrEqual(s0[i]);
    model.dispose();
  });

  it('changes nothing without dislikes or with strength 0 (and never mutates its input)', async () => {
    const model = loadTiny();
    const s0 = await scoreCatalog(model, [1, 2, 3]);
    const copy = Float32Array.from(s0);
    expect(await penalizeNearDisliked(model, s0, [], 3)).toEqual(s0);
    expect(await penalizeNearDisliked(model, s0, [20], 0)).toEqual(s0);
    await penalizeNearDisliked(model, s0, [20], 1);
    expect(s0).toEqual(copy);
    model.dispose();
  });
});

describe('personalScores', () => {
  it('applies the policy: dislikePenalty 0 gives the model scores, > 0 the penalised ones', async () => {
    const model = loadTiny();
    const view = interpretEvents([
      { itemId: 1, type: 'like', at: 1 },
      { itemId: 2, type: 'like', at: 2 },
      { itemId: 20, type: 'dislike', at: 3 },
    ]);
    const plain = await scoreCatalog(model, view.sequence);
    expect(await personalScores(model, view, resolvePolicy({ dislikePenalty: 0 }))).toEqual(plain);
    expect(await personalScores(model, view, resolvePolicy({ dislikePenalty: 1 }))).toEqual(await penalizeNearDisliked(model, plain, [20], 1));
    model.dispose();
  });

  it('adds the short-history popularity prior for short histories only', async () => {
    const model = loadTiny();
    const popularity = Float32Array.from({ length: model.config.numItems + 1 }, (_, i) => (i === 0 ? 0 : i === 40 ? 1000 : 1));
    const prior = popularityPrior(popularity);
    const policy = resolvePolicy({ dislikePenalty: 0, shortHistoryPrior: 2, shortHistoryUntil: 10 });
    const short = interpretEvents([{ itemId: 1, type: 'like', at: 1 }]);
    const plain = await scoreCatalog(model, short.sequence);
    const blended = await personalScores(model, short, policy, prior);
    expect(blended).toEqual(blendShortHistory(plain, 1, prior, { weight: 2, until: 10 }));
    expect(blended[40] - plain[40]).toBeGreaterThan(blended[2] - plain[2]); // the popular item gained most
    const long = interpretEvents(Array.from({ length: 10 }, (_, i) => ({ itemId: i + 1, type: 'view' as const, at: i })));
    expect(await personalScores(model, long, policy, prior)).toEqual(await scoreCatalog(model, long.sequence));
    expect(await personalScores(model, short, policy, null)).toEqual(plain); // no catalog popularity: no prior
    model.dispose();
  });
});
