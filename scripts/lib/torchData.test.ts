import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRecError } from '../../src/engine/errors';
import { leaveOneOut } from './split';
import { validSubset, writeTorchData, type TorchDataMeta } from './torchData';

const dir = mkdtempSync(join(tmpdir(), 'localrec-torchdata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dataset = {
  source: 't', numItems: 5, userIds: ['a', 'b', 'c'], itemIds: ['', '1', '2', '3', '4', '5'],
  sequences: [Int32Array.from([1, 2, 3, 4]), Int32Array.from([5, 4, 3]), Int32Array.from([2, 1])],
};

function readArray(meta: TorchDataMeta, bin: Buffer, name: string): number[] {
  const a = meta.arrays.find((x) => x.name === name);
  if (!a) throw new Error(`no array ${name}`);
  const view = a.dtype === 'int32' ? new Int32Array(bin.buffer, bin.byteOffset + a.offset, a.length) : new Float32Array(bin.buffer, bin.byteOffset + a.offset, a.length);
  return [...view];
}

describe('writeTorchData', () => {
  it('stores the leave-one-out split, the validation subset and CSR features as the Python reader expects', () => {
    const split = leaveOneOut(dataset);
    const features = new Float32Array(6 * 2);
    features[1 * 2 + 0] = 1; features[3 * 2 + 1] = 0.5; features[3 * 2 + 0] = 0.5;
    const meta = writeTorchData(dir, { split, numItems: 5, features, featureNames: ['genre:a', 'genre:b'], validUsers: 10, seed: 1 });
    const bin = readFileSync(join(dir, 'data.bin'));
    expect(JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8'))).toEqual(meta);
    expect(meta).toMatchObject({ format: 'localrec-torch-data', version: 1, numItems: 5, numFeatures: 2, trainSequences: 3, validCases: 2, testCases: 2 });
    // Users with 3+ items train on all but their last two; a 2-item user only trains.
    expect(readArray(meta, bin, 'train_offsets')).toEqual([0, 2, 3, 5]);
    expect(readArray(meta, bin, 'train_items')).toEqual([1, 2, 5, 2, 1]);
    expect(readArray(meta, bin, 'valid_targets')).toEqual([3, 4]);
    expect(readArray(meta, bin, 'test_offsets')).toEqual([0, 3, 5]);
    expect(readArray(meta, bin, 'test_items')).toEqual([1, 2, 3, 5, 4]);
    expect(readArray(meta, bin, 'test_targets')).toEqual([4, 3]);
    expect(readArray(meta, bin, 'valid_subset')).toEqual([0, 1]);
    expect(readArray(meta, bin, 'feat_offsets')).toEqual([0, 0, 1, 1, 3, 3, 3]);
    expect(readArray(meta, bin, 'feat_columns')).toEqual([0, 0, 1]);
    expect(readArray(meta, bin, 'feat_values')).toEqual([1, 0.5, 0.5]);
  });

  it('draws the same validation subset as the Node trainer (Rng(seed + 7), sorted)', () => {
    const s = validSubset(100, 10, 42);
    expect(s.length).toBe(10);
    expect([...s]).toEqual([...s].sort((a, b) => a - b));
    expect([...validSubset(100, 10, 42)]).toEqual([...s]);
    expect([...validSubset(100, 10, 43)]).not.toEqual([...s]);
    expect([...validSubset(5, 10, 42)]).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses cases whose excluded items are not their history (the trainer assumes they are)', () => {
    const split = leaveOneOut(dataset);
    split.test[0] = { ...split.test[0], exclude: Int32Array.from([1]) };
    expect(() => writeTorchData(join(dir, 'bad'), { split, numItems: 5, features: null, featureNames: [], validUsers: 10, seed: 1 })).toThrow(LocalRecError);
  });
});
