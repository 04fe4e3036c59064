import { describe, expect, it } from 'vitest';
import { distinctIds, rowParameterRows, rowsInOrder, sparseRowsProblem, withRows } from './sparseRows';

describe('sparseRows', () => {
  it('distinctIds keeps sorted distinct ids inside [lo, hi)', () => {
    expect(distinctIds([[5, 0, 3], Int32Array.from([3, 9, 12]), [1.5, -1]], 0, 10)).toEqual(Int32Array.from([0, 3, 5, 9]));
  });

  it('rowsInOrder lays rows out in another id order, zeros where missing', () => {
    // rows of width 2 for ids 4 and 7
    const from = Float32Array.from([40, 41, 70, 71]);
    expect(rowsInOrder(Int32Array.from([4, 7]), from, Int32Array.from([7, 2, 4]), 2)).toEqual(Float32Array.from([70, 71, 0, 0, 40, 41]));
  });

  it('withRows writes stored rows over a base table without touching it', () => {
    const base = Float32Array.from([0, 0, 1, 1, 2, 2]);
    const out = withRows(base, { ids: Int32Array.from([2]), values: Float32Array.from([9, 8]) }, 2);
    expect(out).toEqual(Float32Array.from([0, 0, 1, 1, 9, 8]));
    expect(base[4]).toBe(2);
  });

  it('sparseRowsProblem accepts sound rows and names the first problem', () => {
    const ok = { ids: Int32Array.from([0, 2]), values: new Float32Array(4) };
    expect(sparseRowsProblem(ok, 'r', 3, 2)).toBeNull();
    expect(sparseRowsProblem(null, 'r', 3, 2)).toBe('r is not a set of rows');
    expect(sparseRowsProblem({ ...ok, ids: Int32Array.from([0, 3]) }, 'r', 3, 2)).toBe('r.ids has row 3, outside 0..2');
  });

  it('rowParameterRows names the row-stored parameters of a model', () => {
    expect(rowParameterRows(new Map([['item_emb', { shape: [11, 4] }], ['pos_emb', { shape: [5, 4] }]]))).toEqual(new Map([['item_emb', 11]]));
  });
});
