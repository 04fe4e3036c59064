import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../src/engine/data/catalog';
import type { SequenceDataset } from '../../src/engine/data/types';
import { loadDataset } from './loadDataset';
import { shiftDataset, writeShiftFolder } from './shiftProtocol';

const item = (id: number, title: string, year: number | null): CatalogItem => ({ id, externalId: String(100 + id), title, year, genres: ['Drama'] });
// The people's catalog (ML-100K spelling) and the model's (ML-1M spelling), ids differ.
const people = [item(1, 'Shawshank Redemption, The', 1994), item(2, 'Se7en', 1995), item(3, 'Toy Story', 1995), item(4, 'Postino, Il', 1994)];
const model = [item(1, 'Toy Story', 1995), item(2, 'Shawshank Redemption, The', 1994), item(3, 'Matrix, The', 1999), item(4, 'Postino, Il (The Postman)', 1994), item(5, 'Heat', 1995)];
const ds: SequenceDataset = {
  source: 'fixture', numItems: 4, userIds: ['7', '9'], itemIds: ['', '101', '102', '103', '104'],
  sequences: [Int32Array.from([1, 2, 3, 4]), Int32Array.from([2, 2, 3])],
  ratings: [Float32Array.from([5, 4, 3, 1]), Float32Array.from([2, 4, 5])],
  times: [Float64Array.from([10, 20, 30, 40]), Float64Array.from([5, 6, 7])],
};

describe('shift protocol data', () => {
  it('carries people into the model ids, keeps order, ratings and times of joined items, counts the losses', () => {
    const s = shiftDataset(ds, people, model, 5);
    expect(s.join).toEqual({ ml100kItems: 4, joined: 3, yearOffByOne: 0, ambiguous: 0, ratingsTotal: 7, ratingsKept: 4, modelItemsWithoutCounterpart: 2 });
    expect(s.dataset.sequences.map((q) => Array.from(q))).toEqual([[2, 1, 4], [1]]);
    expect(s.dataset.ratings?.map((q) => Array.from(q))).toEqual([[5, 3, 1], [5]]);
    expect(s.dataset.times?.map((q) => Array.from(q))).toEqual([[10, 30, 40], [7]]);
    expect(s.dataset.numItems).toBe(5);
    expect([...s.excluded].sort()).toEqual([3, 5]);
    // The same interactions in the people's own ids ("Se7en" did not join).
    expect(s.ownIds.dataset.sequences.map((q) => Array.from(q))).toEqual([[1, 3, 4], [3]]);
    expect(s.ownIds.dataset.numItems).toBe(4);
    expect([...s.ownIds.excluded]).toEqual([2]);
  });

  it('writes a folder that pretrain reads back with the model item ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shift-'));
    try {
      const s = shiftDataset(ds, people, model, 5);
      writeShiftFolder(dir, s.dataset, model);
      expect(readFileSync(join(dir, 'interactions.csv'), 'utf8').split('\n')[1]).toBe('7,2,10,5');
      const back = loadDataset(dir, { onWarning: () => {} }).dataset;
      expect(back.numItems).toBe(5);
      expect(back.sequences.map((q) => Array.from(q))).toEqual(s.dataset.sequences.map((q) => Array.from(q)));
      expect(back.itemIds.slice(1)).toEqual(['1', '2', '3', '4', '5']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
