import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { validateBundle } from '../store/exportBundle';
import { DEFAULT_SETTINGS, LocalStore } from '../store/localStore';
import { exportPersonData, storeImport } from './personData';

let ns = 0;
afterEach(() => { ns++; });
const target = { numItems: 10, modelId: 'm1', weightSizes: new Map([['item_emb', 4]]) };

describe('exportPersonData / storeImport', () => {
  it('round-trips history, settings and checkpoint into another store', async () => {
    const a = new LocalStore(`person-a-${ns}`);
    await a.appendEvent({ itemId: 2, type: 'like', at: 1 });
    await a.appendEvent({ itemId: 5, type: 'dislike', at: 2 });
    await a.putSettings({ ...DEFAULT_SETTINGS, discover: 0.75, onboarded: true });
    await a.putCheckpoint({ modelId: 'm1', steps: 8, updatedAt: 9, trainedEvents: 2, weights: { item_emb: Float32Array.from([1, 2, 3, 4]) }, optimizer: null });
    const bundle = await exportPersonData(a, 'tiny');
    expect(bundle).toMatchObject({ format: 'localrec-export', model: 'tiny', events: [{ itemId: 2 }, { itemId: 5 }] });
    const b = new LocalStore(`person-b-${ns}`);
    await b.appendEvent({ itemId: 9, type: 'view', at: 0 }); // replaced, not merged
    const result = await storeImport(b, validateBundle(JSON.parse(JSON.stringify(bundle)), target));
    expect(result).toEqual({ events: 2, checkpoint: true, note: null });
    expect(await b.events()).toEqual(await a.events());
    expect(await b.getSettings()).toEqual(await a.getSettings());
    expect([...((await b.getCheckpoint())?.weights.item_emb ?? [])]).toEqual([1, 2, 3, 4]);
    a.close();
    b.close();
  });

  it('a checkpoint from other pretrained weights is left out with a note; the history still imports', async () => {
    const a = new LocalStore(`person-c-${ns}`);
    await a.appendEvent({ itemId: 2, type: 'like', at: 1 });
    await a.putCheckpoint({ modelId: 'other', steps: 8, updatedAt: 9, trainedEvents: 1, weights: { item_emb: Float32Array.from([1, 2, 3, 4]) }, optimizer: null });
    const b = new LocalStore(`person-d-${ns}`);
    const result = await storeImport(b, validateBundle(await exportPersonData(a, 'tiny'), target));
    expect(result.checkpoint).toBe(false);
    expect(result.note).toMatch(/.+/);
    expect(await b.events()).toHaveLength(1);
    expect(await b.getCheckpoint()).toBeNull();
    a.close();
    b.close();
  });
});
