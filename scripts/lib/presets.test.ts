import { describe, expect, it } from 'vitest';
import type { SequenceDataset } from '../../src/engine/data/types';
import type { CatalogItem } from '../../src/engine/data/catalog';
import { choosePreset, dataStats, SAMPLED_SOFTMAX_FROM_ITEMS, type DataStats } from './presets';
import { resolveTrainOptions } from './trainOptions';
import { resolveConfig } from '../../src/engine/model/config';

function stats(p: Partial<DataStats>): DataStats {
  return { users: 6040, items: 3416, interactions: 999_611, meanLength: 165, p50Length: 96, p90Length: 400, maxLength: 2314, density: 0.048, itemsWithTags: 3416, itemsWithTitles: 3416, ...p };
}
const dataset = (seqs: number[][], numItems: number): SequenceDataset => ({
  source: 't', numItems, userIds: seqs.map((_, i) => `u${i}`), sequences: seqs.map((s) => Int32Array.from(s)), itemIds: ['', ...Array.from({ length: numItems }, (_, i) => String(i + 1))],
});
/** The choice must be a valid run: the trainer's own checks accept it. */
function valid(c: ReturnType<typeof choosePreset>, items: number): void {
  expect(() => resolveTrainOptions(c.train)).not.toThrow();
  expect(() => resolveConfig({ ...c.model, numItems: items, numFeatures: 0 })).not.toThrow();
  expect(c.reasons.length).toBeGreaterThan(5);
}

describe('dataStats', () => {
  it('measures lengths, density and catalog content; an ids-only catalog has no titles', () => {
    const cat: CatalogItem[] = [{ id: 1, externalId: '1', title: '1', year: null, genres: [] }, { id: 2, externalId: 'b', title: 'Bee', year: null, genres: ['x'] }];
    const s = dataStats(dataset([[1, 2], [1, 2, 1, 2]], 2), cat);
    expect(s).toMatchObject({ users: 2, items: 2, interactions: 6, meanLength: 3, maxLength: 4, density: 1.5, itemsWithTags: 1, itemsWithTitles: 1 });
    expect(dataStats(dataset([[1]], 1), null)).toMatchObject({ itemsWithTags: 0, itemsWithTitles: 0, p90Length: 1 });
  });
});

describe('choosePreset (auto)', () => {
  it('ML-1M-like data gets the shipped recipe: window 200, width 128, full softmax, dropout 0.1, features with titles', () => {
    const c = choosePreset(stats({}), 'auto', 60);
    expect(c.model).toMatchObject({ maxLen: 200, dim: 128, ffnDim: 128, dropout: 0.1, positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier' });
    expect(c.train).toMatchObject({ loss: { kind: 'ce' }, schedule: 'timed', timedMinutes: 60, batches: 'random', contentFeatures: true, titleBuckets: 512 });
    expect(c.reasons.join('\n')).toMatch(/maxLen 200: .*capped at 200/);
    valid(c, 3416);
  });

  it('short histories over 50k items: short window, sampled softmax with logQ, heavy dropout, no features without a catalog', () => {
    const c = choosePreset(stats({ users: 20_000, items: 50_000, interactions: 160_000, meanLength: 8, p50Length: 6, p90Length: 14, maxLength: 40, density: 0.00016, itemsWithTags: 0, itemsWithTitles: 0 }), 'auto', 60);
    expect(c.model).toMatchObject({ maxLen: 20, dim: 128, dropout: 0.5 });
    expect(c.train.loss).toEqual({ kind: 'sampled', numNegatives: 2048 });
    expect(c.train.contentFeatures).toBe(false);
    expect(c.reasons.join('\n')).toMatch(/logQ/);
    expect(c.reasons.join('\n')).toMatch(/content features: none/);
    valid(c, 50_000);
  });

  it('the loss switches exactly at the measured threshold', () => {
    expect(choosePreset(stats({ items: SAMPLED_SOFTMAX_FROM_ITEMS - 1 })).train.loss.kind).toBe('ce');
    expect(choosePreset(stats({ items: SAMPLED_SOFTMAX_FROM_ITEMS })).train.loss.kind).toBe('sampled');
  });

  it('degenerate data still gives a runnable plan: one user, all histories of length 2, tags only', () => {
    const one = choosePreset(stats({ users: 1, items: 3, interactions: 3, meanLength: 3, p50Length: 3, p90Length: 3, maxLength: 3, density: 1, itemsWithTitles: 0, itemsWithTags: 3 }), 'auto', 5);
    expect(one.model).toMatchObject({ maxLen: 10, dim: 64, dropout: 0.5 });
    expect(one.train.validUsers).toBe(1);
    expect(one.train.titleBuckets).toBe(0);
    valid(one, 3);
    const two = choosePreset(stats({ users: 500, items: 100, interactions: 1000, meanLength: 2, p50Length: 2, p90Length: 2, maxLength: 2, density: 0.02 }));
    expect(two.model.maxLen).toBe(10);
    expect(two.minutes).toBe(60);
    valid(two, 100);
  });

  it('a tiny budget is honoured and flagged; no budget takes the preset default', () => {
    const c = choosePreset(stats({}), 'auto', 0.2);
    expect(c.train.timedMinutes).toBe(0.2);
    expect(c.reasons.join('\n')).toMatch(/too short to learn much/);
    expect(choosePreset(stats({}), 'fast').train.timedMinutes).toBe(10);
    expect(choosePreset(stats({}), 'quality', Infinity).train.timedMinutes).toBe(180);
  });

  it('fast is small and short-windowed; quality is wide; both stay pure', () => {
    expect(choosePreset(stats({}), 'fast', 10).model).toMatchObject({ dim: 64, maxLen: 50 });
    expect(choosePreset(stats({ items: 500 }), 'quality', 10).model.dim).toBe(128);
    expect(choosePreset(stats({}), 'auto', 30)).toEqual(choosePreset(stats({}), 'auto', 30));
  });
});
