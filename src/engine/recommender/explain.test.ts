import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SasRec } from '../model/sasrec';
import { CatalogIndex } from '../rank/rankFeed';
import { useBackend } from '../testing/backend';
import { tinyConfig } from '../testing/fixtures';
import { Adam } from '../train/adam';
import { bucketedBatches, nextItemBatch } from '../train/batches';
import { Rng } from '../train/rng';
import { trainStep } from '../train/trainStep';
import { explainItem } from './explain';
import type { CatalogEntry, InteractionEvent } from './types';

const NUM_ITEMS = 30;
const CAUSE = 7;
const EFFECT = 19;

/** Random sequences with one planted rule: CAUSE is always followed by EFFECT. */
function plantedCause(numUsers: number, seed: number): Int32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: numUsers }, () => {
    const len = rng.int(4, 9);
    const s: number[] = [];
    while (s.length < len) {
      const prev = s[s.length - 1];
      if (prev === CAUSE) { s.push(EFFECT); continue; }
      let next = rng.int(1, NUM_ITEMS + 1);
      if (next === EFFECT) next = CAUSE; // EFFECT only ever follows CAUSE
      s.push(next);
    }
    return Int32Array.from(s);
  });
}

const catalog: CatalogEntry[] = Array.from({ length: NUM_ITEMS }, (_, k) => ({
  id: k + 1, externalId: `m${k + 1}`, title: `Movie ${k + 1}`, year: 2000, genres: [k % 2 ? 'Drama' : 'Comedy'], popularity: 10,
}));
let model: SasRec;

beforeAll(async () => {
  await useBackend('cpu');
  const cfg = tinyConfig({ numItems: NUM_ITEMS, maxLen: 8, dim: 16, blocks: 1, heads: 1, ffnDim: 16 });
  model = SasRec.create(cfg, 11);
  const train = plantedCause(400, 1);
  const opt = new Adam(model.weights);
  const rng = new Rng(3);
  for (let epoch = 0; epoch < 6; epoch++) {
    for (const idx of bucketedBatches(train.map((s) => s.length), 32, rng, 4)) {
      await trainStep(model, opt, nextItemBatch(idx.map((i) => train[i]), cfg.maxLen), { kind: 'ce' }, 0.01, rng);
    }
  }
  opt.dispose();
}, 120_000);

describe('"why this?" attribution', () => {
  it('points at the planted cause: history [a, b, c], rule c -> x, explain(x) ranks c first', async () => {
    const before = tf.memory().numTensors;
    const index = new CatalogIndex(catalog);
    for (const [a, b] of [[3, 12], [25, 2], [12, 28]]) {
      const events: InteractionEvent[] = [a, b, CAUSE].map((itemId, i) => ({ itemId, type: 'view', at: 1_000 + i }));
      const why = await explainItem(model, index, events, EFFECT);
      expect(why.itemId).toBe(EFFECT);
      expect(why.because[0]?.itemId).toBe(CAUSE);
      expect(why.because[0].weight).toBeGreaterThan(0.5);
      // The cause also wins when it is not the newest item.
      const earlier: InteractionEvent[] = [CAUSE, a, b].map((itemId, i) => ({ itemId, type: 'view', at: 1_000 + i }));
      expect((await explainItem(model, index, earlier, EFFECT)).because[0]?.itemId).toBe(CAUSE);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('"why this?" and the release-year bias', () => {
  it('says so when the person\'s release-year bias moves the item up, and not when it moves it down or is off', async () => {
    const years = catalog.map((c, k) => ({ ...c, year: 1990 + (k % 10) }));
    const index = new CatalogIndex(years);
    const events: InteractionEvent[] = [3, 12, 25].map((itemId, i) => ({ itemId, type: 'view', at: 1_000 + i }));
    const edges = [1980, 1990, 1994, 1995, 1996, 1997, 1998];
    const fit = { bias: Float64Array.from([0, -0.3, -0.3, 0, 0, 0, 0.4, 0.05]), edges, gapYears: 2, outcome: 'kept' as const };
    const up = await explainItem(model, index, events, 8, fit);
    expect(index.byId.get(8)?.year).toBe(1997);
    expect(up.releaseYears).toEqual({ years: '1997', boost: 0.4 });
    expect(up.summary).toMatch(/Films from 1997 rank higher for you: you have been choosing newer films than the model expected\./);
    // 1991 is moved down, 1998 up by less than the note's threshold, no fit at all: no note.
    for (const [id, f] of [[2, fit], [9, fit], [8, null]] as const) {
      const why = await explainItem(model, index, events, id, f);
      expect(why.releaseYears).toBeUndefined();
      expect(why.summary).not.toMatch(/rank higher/);
    }
  });
});
