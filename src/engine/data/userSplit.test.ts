import { describe, expect, it } from 'vitest';
import { selectUsers, splitUsers } from './userSplit';
import type { SequenceDataset } from './types';

describe('splitUsers / selectUsers', () => {
  it('holds out a seeded share of whole users, disjoint and complete', () => {
    const a = splitUsers(10, 0.2, 7);
    expect(a.heldOutUsers).toHaveLength(2);
    expect(a.trainUsers).toHaveLength(8);
    expect([...a.heldOutUsers, ...a.trainUsers].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(splitUsers(10, 0.2, 7)).toEqual(a);
    expect(splitUsers(1000, 0.2, 8).heldOutUsers).not.toEqual(splitUsers(1000, 0.2, 7).heldOutUsers);
    expect(() => splitUsers(10, 1.5, 1)).toThrow(RangeError);
  });

  it('keeps sequences, times and ratings of the selected users', () => {
    const ds: SequenceDataset = {
      source: 't', numItems: 3, itemIds: ['', 'a', 'b', 'c'], userIds: ['x', 'y', 'z'],
      sequences: [Int32Array.from([1]), Int32Array.from([2, 3]), Int32Array.from([3])],
      times: [Float64Array.from([1]), Float64Array.from([2, 3]), Float64Array.from([4])],
      ratings: [Float32Array.from([5]), Float32Array.from([1, 2]), Float32Array.from([3])],
    };
    const s = selectUsers(ds, [2, 1]);
    expect(s.userIds).toEqual(['z', 'y']);
    expect(Array.from(s.sequences[1])).toEqual([2, 3]);
    expect(Array.from(s.ratings?.[1] ?? [])).toEqual([1, 2]);
    expect(Array.from(s.times?.[0] ?? [])).toEqual([4]);
    expect(s.numItems).toBe(3);
  });
});
