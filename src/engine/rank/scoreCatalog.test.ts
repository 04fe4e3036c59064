import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SasRec } from '../model/sasrec';
import { useBackend } from '../testing/backend';
import { maxAbsDiff, tinyConfig } from '../testing/fixtures';
import { ItemTables } from './itemTables';
import { scoreCatalog, scorePositions } from './scoreCatalog';

beforeAll(() => useBackend('wasm'));

describe('scorePositions', () => {
  it.each(['fromStart', 'fromEnd'] as const)('row j is the scores after the prefix (positions %s), the last row the feed\'s; no tensors left', async (positions) => {
    const model = SasRec.create(tinyConfig({ numItems: 30, maxLen: 16, positions }), 3);
    const tables = new ItemTables(model);
    tables.tableT();
    const seq = [4, 9, 1, 22, 13, 30, 7, 7, 18];
    const start = tf.memory().numTensors;
    for (const t of [tables, null]) {
      const rows = await scorePositions(model, seq, 4, t);
      expect(rows).toHaveLength(4);
      expect(maxAbsDiff(rows[3].subarray(1), (await scoreCatalog(model, seq)).subarray(1))).toBeLessThan(1e-4);
      expect(rows[3][0]).toBeLessThan(-1e8);
      if (positions === 'fromStart') {
        // Causal with positions from the window start: a prefix's row is that prefix's own scores.
        for (let j = 0; j < 3; j++) expect(maxAbsDiff(rows[j].subarray(1), (await scoreCatalog(model, seq.slice(0, seq.length - 3 + j))).subarray(1))).toBeLessThan(1e-4);
      }
    }
    expect(tf.memory().numTensors).toBe(start);
    // Fewer items than rows: one row per item.
    expect(await scorePositions(model, [5, 6], 4, tables)).toHaveLength(2);
    tables.dispose();
    model.dispose();
  });
});
