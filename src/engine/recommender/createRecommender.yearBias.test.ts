import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryFileCache } from '../loading/fileCache';
import { TINY_MODEL_URL, tinyModelFetch } from '../testing/tinyModelFetch';
import { createRecommender } from './createRecommender';
import type { FinetunePolicy } from '../train/finetunePolicy';
import type { Recommender } from './types';

let ns = 0;
const open: Recommender[] = [];
function make(policy: Partial<FinetunePolicy>): Recommender {
  // learnAfter high: these tests look at the feed's scoring, not at fine-tuning.
  const r = createRecommender({ modelUrl: TINY_MODEL_URL, device: 'wasm', namespace: `yb${ns++}`, fetch: tinyModelFetch(), cache: memoryFileCache(), policy: { learnAfter: 1000, ...policy } });
  open.push(r);
  return r;
}
afterEach(async () => {
  for (const r of open.splice(0)) await r.dispose();
});

/** Views of every other film of the tiny catalog's from 2010 on (the rest stay in the feed), oldest first, after three older ones. */
async function watchNewFilms(r: Recommender): Promise<void> {
  const catalog = await r.catalog();
  const old = catalog.filter((c) => (c.year ?? 0) < 1990).slice(0, 3);
  const recent = catalog.filter((c) => (c.year ?? 0) >= 2010).sort((a, b) => (a.year ?? 0) - (b.year ?? 0)).filter((_, i) => i % 2 === 1);
  let at = 1_700_000_000_000;
  for (const c of [...old, ...recent]) await r.record({ itemId: c.id, type: 'view', at: at++ });
}

describe('the release-year bias in the engine', () => {
  it('someone watching the newest films gets them moved up, and "Why this?" says so; off, neither', async () => {
    const on = make({});
    await watchNewFilms(on);
    const off = make({ yearBiasItems: 0 }); // after the first engine has started the backend
    await watchNewFilms(off);
    const feedOn = await on.recommend({ count: 10 });
    const feedOff = await off.recommend({ count: 10 });
    const years = async (r: Recommender, ids: number[]) => {
      const byId = new Map((await r.catalog()).map((c) => [c.id, c.year ?? 0]));
      return ids.reduce((s, id) => s + (byId.get(id) ?? 0), 0) / ids.length;
    };
    expect(await years(on, feedOn.map((x) => x.itemId))).toBeGreaterThan(await years(off, feedOff.map((x) => x.itemId)));
    const notes = await Promise.all(feedOn.map((x) => on.explain(x.itemId)));
    const moved = notes.filter((n) => n.releaseYears);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved[0].summary).toMatch(/rank higher for you: you have been choosing newer films than the model expected/);
    for (const x of feedOff) expect((await off.explain(x.itemId)).releaseYears).toBeUndefined();
  });
});
