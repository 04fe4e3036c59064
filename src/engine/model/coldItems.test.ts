import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogItem } from '../data/catalog';
import { featureMatrix, featureVocabulary } from '../data/itemFeatures';
import { LocalRecError } from '../errors';
import { CatalogIndex, rankFromScores } from '../rank/rankFeed';
import { scoreCatalog } from '../rank/scoreCatalog';
import type { CatalogEntry } from '../recommender/types';
import { useBackend } from '../testing/backend';
import { tinyConfig } from '../testing/fixtures';
import { Adam } from '../train/adam';
import { bucketedBatches, nextItemBatch } from '../train/batches';
import { Rng } from '../train/rng';
import { trainStep } from '../train/trainStep';
import { resetIdRows, withAddedItems } from './coldItems';
import { SasRec } from './sasrec';

const GENRES = ['Sci-Fi', 'Comedy', 'Drama', 'Horror'];
const PER_GENRE = 6;
const NUM_ITEMS = GENRES.length * PER_GENRE;
const genreOf = (id: number) => Math.floor((id - 1) / PER_GENRE);
const catalog: CatalogItem[] = Array.from({ length: NUM_ITEMS }, (_, k) => ({
  id: k + 1, externalId: `m${k + 1}`, title: `Movie ${k + 1}`, year: 1990, genres: [GENRES[genreOf(k + 1)]],
}));
const featureNames = featureVocabulary(catalog);

/** Each person watches titles of one genre only, in random order. */
function genreWalks(numUsers: number, seed: number): Int32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: numUsers }, () => {
    const g = rng.int(0, GENRES.length);
    const ids = rng.shuffle(Array.from({ length: PER_GENRE }, (_, k) => g * PER_GENRE + k + 1));
    return Int32Array.from(ids.slice(0, rng.int(3, PER_GENRE + 1)));
  });
}

let model: SasRec;

beforeAll(async () => {
  await useBackend('cpu');
  const cfg = tinyConfig({ numItems: NUM_ITEMS, maxLen: 6, dim: 16, blocks: 1, heads: 1, ffnDim: 16, numFeatures: featureNames.length, idDropout: 0.5 });
  const features = tf.tensor2d(featureMatrix(catalog, NUM_ITEMS, featureNames), [NUM_ITEMS + 1, featureNames.length]);
  model = SasRec.create(cfg, 3, features);
  const train = genreWalks(300, 1);
  const opt = new Adam(model.weights);
  const rng = new Rng(2);
  for (let epoch = 0; epoch < 8; epoch++) {
    for (const idx of bucketedBatches(train.map((s) => s.length), 32, rng, 4)) {
      await trainStep(model, opt, nextItemBatch(idx.map((i) => train[i]), cfg.maxLen), { kind: 'ce' }, 0.01, rng);
    }
  }
  opt.dispose();
}, 120_000);

/** 0-based rank of `item` among items not in `exclude` (ties count against it). */
function rankOf(scores: Float32Array, item: number, exclude: readonly number[]): number {
  let r = 0;
  for (let j = 1; j < scores.length; j++) if (j !== item && !exclude.includes(j) && scores[j] >= scores[item]) r++;
  return r;
}

describe('items added at run time', () => {
  it('a catalog item added at run time is scored, and ranks near the top for a person whose history matches its genre', async () => {
    const before = tf.memory().numTensors;
    const added = withAddedItems(model, featureNames, [{ id: NUM_ITEMS + 1, genres: ['Horror'], year: 1994 }]);
    expect(added.config.numItems).toBe(NUM_ITEMS + 1);
    const history = [19, 20, 21, 22]; // four Horror titles
    const scores = await scoreCatalog(added, history);
    expect(scores.length).toBe(NUM_ITEMS + 2);
    expect(Number.isFinite(scores[NUM_ITEMS + 1])).toBe(true);
    const rank = rankOf(scores, NUM_ITEMS + 1, history);
    // 21 candidates: a random item would sit at rank 10 on average; the new Horror title comes
    // right after the two known Horror titles left (or among them).
    expect(rank).toBeLessThanOrEqual(2);
    // The same title for a Comedy fan ranks far lower.
    const comedy = [7, 8, 9, 10];
    expect(rankOf(await scoreCatalog(added, comedy), NUM_ITEMS + 1, comedy)).toBeGreaterThan(rank + 3);
    // The original model is untouched and still usable.
    expect(model.config.numItems).toBe(NUM_ITEMS);
    expect((await scoreCatalog(model, history)).length).toBe(NUM_ITEMS + 1);
    added.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a catalog item added at run time is scored and enters the feed through a new-item slot', async () => {
    const before = tf.memory().numTensors;
    const newHorror = { id: NUM_ITEMS + 1, genres: ['Horror'], year: 1994 };
    const newComedy = { id: NUM_ITEMS + 2, genres: ['Comedy'], year: 1994 };
    const added = withAddedItems(model, featureNames, [newHorror, newComedy]);
    // Trained items carry their training popularity; the added ones have none yet.
    const entries: CatalogEntry[] = [
      ...catalog.map((it) => ({ ...it, popularity: 10 })),
      ...[newHorror, newComedy].map((it) => ({ ...it, externalId: `new${it.id}`, title: `New ${it.id}`, popularity: 0 })),
    ];
    const index = new CatalogIndex(entries);
    expect([...index.newItemIds]).toEqual([NUM_ITEMS + 1, NUM_ITEMS + 2]);
    const feedFor = async (history: number[], exclude: number[] = history) =>
      rankFromScores(await scoreCatalog(added, history), index, { count: 10, offset: 0, discover: 0, exclude: new Set(exclude) });
    // Horror fan: the new Horror title takes the first slot (5th card), the new Comedy the second (10th).
    const horrorFeed = await feedFor([19, 20, 21, 22]);
    expect(horrorFeed.map((r) => r.source)).toEqual(['model', 'model', 'model', 'model', 'new', 'model', 'model', 'model', 'model', 'new']);
    expect(horrorFeed[4].itemId).toBe(newHorror.id);
    expect(horrorFeed[9].itemId).toBe(newComedy.id);
    expect(horrorFeed[4].score).toBeGreaterThan(horrorFeed[9].score);
    // Comedy fan: the other way round.
    const comedyFeed = await feedFor([7, 8, 9, 10]);
    expect([comedyFeed[4].itemId, comedyFeed[9].itemId]).toEqual([newComedy.id, newHorror.id]);
    // Once seen (or disliked), the new title is never shown again: the other one moves up.
    const seen = await feedFor([19, 20, 21, 22], [19, 20, 21, 22, newHorror.id]);
    expect(seen.map((r) => r.itemId)).not.toContain(newHorror.id);
    expect(seen[4].itemId).toBe(newComedy.id);
    added.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects ids that do not continue the catalog, unknown-only features and models without content', () => {
    expect(() => withAddedItems(model, featureNames, [{ id: NUM_ITEMS + 2, genres: ['Drama'], year: 1990 }])).toThrow(LocalRecError);
    expect(() => withAddedItems(model, featureNames, [{ id: NUM_ITEMS + 1, genres: ['Western'], year: null }])).toThrow(/no genre, year or title word the model knows \(unknown: genre:Western\)/);
    const plain = SasRec.create(tinyConfig({ numItems: 5 }), 1);
    expect(() => withAddedItems(plain, [], [{ id: 6, genres: ['Drama'], year: 1990 }])).toThrow(/no content features/);
    plain.dispose();
  });

  it('resetIdRows zeroes (or averages) the ID rows of held-out items in place', async () => {
    const copy = new SasRec(model.config, new Map([...model.weights].map(([k, v]) => [k, tf.variable(v.clone(), true)])), null);
    resetIdRows(copy, [2, 5]);
    const emb = (await copy.w('item_emb').array()) as number[][];
    expect(emb[2].every((v) => v === 0)).toBe(true);
    expect(emb[5].every((v) => v === 0)).toBe(true);
    expect(emb[3].some((v) => v !== 0)).toBe(true);
    resetIdRows(copy, [2], 'mean');
    const after = (await copy.w('item_emb').array()) as number[][];
    const mean = after[1].map((_, d) => after.slice(1).filter((_, i) => i + 1 !== 2).reduce((s, r) => s + r[d], 0) / (NUM_ITEMS - 1));
    after[2].forEach((v, d) => expect(v).toBeCloseTo(mean[d], 5));
    copy.dispose();
  });
});
