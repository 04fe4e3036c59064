import { describe, expect, it } from 'vitest';
import { bucketedBatches, lengthGroups, nextItemBatch, randomBatches } from './batches';
import { Rng } from './rng';

describe('nextItemBatch', () => {
  it('right-aligns inputs, pads on the left and pairs every real position with the next item', () => {
    const b = nextItemBatch([Int32Array.from([1, 2, 3]), Int32Array.from([4, 5, 6, 7, 8])], 10);
    expect(b.batch).toBe(2);
    expect(b.len).toBe(4); // longest sequence has 4 inputs
    expect(Array.from(b.seqs)).toEqual([0, 0, 1, 2, 4, 5, 6, 7]);
    expect(Array.from(b.positions)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(Array.from(b.targets)).toEqual([2, 3, 5, 6, 7, 8]);
    expect(b.weights).toBeUndefined();
  });

  it('keeps only the newest maxLen steps', () => {
    const b = nextItemBatch([Int32Array.from([1, 2, 3, 4, 5, 6])], 3);
    expect(b.len).toBe(3);
    expect(Array.from(b.seqs)).toEqual([3, 4, 5]);
    expect(Array.from(b.targets)).toEqual([4, 5, 6]);
  });

  it('gives a one-item sequence no targets and carries per-target weights', () => {
    const b = nextItemBatch([[7], [1, 2, 3]], 5, [[9], [0.1, 0.2, 0.3]]);
    expect(Array.from(b.seqs)).toEqual([0, 0, 1, 2]);
    expect(Array.from(b.positions)).toEqual([2, 3]);
    expect(Array.from(b.targets)).toEqual([2, 3]);
    expect(Array.from(b.weights ?? [])).toEqual([Math.fround(0.2), Math.fround(0.3)]);
  });
});

describe('bucketedBatches', () => {
  const rng = new Rng(1);
  const lengths = Array.from({ length: 1000 }, () => 2 + Math.floor(rng.next() ** 3 * 400));

  it('covers every sequence exactly once, in batches of at most batchSize', () => {
    const batches = bucketedBatches(lengths, 64, new Rng(3), 4);
    const seen = new Uint8Array(lengths.length);
    for (const b of batches) {
      expect(b.length).toBeGreaterThan(0);
      expect(b.length).toBeLessThanOrEqual(64);
      for (const i of b) seen[i]++;
    }
    expect(Array.from(seen).every((c) => c === 1)).toBe(true);
    expect(batches.length).toBe(3 * 4 + Math.ceil(232 / 64)); // pools of 4 x 64: three full, the last holds 232
  });

  it('is reproducible for a seed and differs across seeds', () => {
    expect(bucketedBatches(lengths, 32, new Rng(7))).toEqual(bucketedBatches(lengths, 32, new Rng(7)));
    expect(bucketedBatches(lengths, 32, new Rng(7))).not.toEqual(bucketedBatches(lengths, 32, new Rng(8)));
  });

  it('pads far less than random batches (padded tokens = batch size x longest)', () => {
    const padded = (batches: number[][]) => batches.reduce((s, b) => s + b.length * Math.max(...b.map((i) => lengths[i])), 0);
    const real = lengths.reduce((s, l) => s + l, 0);
    const shuffled = new Rng(3).shuffle(lengths.map((_, i) => i));
    const random: number[][] = [];
    for (let i = 0; i < shuffled.length; i += 64) random.push(shuffled.slice(i, i + 64));
    const bucketed = padded(bucketedBatches(lengths, 64, new Rng(3)));
    expect(bucketed).toBeLessThan(padded(random) / 2);
    expect(bucketed / real).toBeLessThan(1.3);
  });
});

describe('randomBatches', () => {
  it('covers everyone once, in batches of the given size, the same for the same seed', () => {
    const a = randomBatches(10, 4, new Rng(3));
    expect(a.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(a.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(randomBatches(10, 4, new Rng(3))).toEqual(a);
    expect(randomBatches(10, 4, new Rng(4))).not.toEqual(a);
  });
});

describe('lengthGroups', () => {
  it('cuts a mixed batch where padding would pass the limit, shortest first', () => {
    const lengths = [200, 3, 4, 190, 5, 3, 180, 4];
    const groups = lengthGroups(lengths, 0.25, 2);
    expect(groups).toEqual([[1, 5, 2, 7, 4], [6, 3, 0]]);
    for (const g of groups) {
      const max = Math.max(...g.map((i) => lengths[i]));
      const real = g.reduce((s, i) => s + lengths[i], 0);
      expect(1 - real / (g.length * max)).toBeLessThanOrEqual(0.25);
    }
  });

  it('keeps at least minRows rows per group and one group when lengths are alike', () => {
    expect(lengthGroups([10, 11, 12, 10], 0.25, 8)).toEqual([[0, 3, 1, 2]]);
    expect(lengthGroups([1, 100, 2, 200], 0.25, 3)).toEqual([[0, 2, 1], [3]]);
    expect(lengthGroups([], 0.25, 8)).toEqual([]);
  });
});
