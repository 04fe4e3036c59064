/**
 * Rows of a 2-D parameter stored by id (an on-device checkpoint of a large catalog keeps only the
 * item-embedding rows learning touched, not the whole [items, dim] table).
 */

/** Some rows of a 2-D parameter: `values` is row-major [ids.length, cols]; ids strictly increasing. */
export interface SparseRows {
  ids: Int32Array;
  values: Float32Array;
}

/** Adam moments of some rows of a 2-D parameter (same layout as `SparseRows`). */
export interface SparseMoments {
  ids: Int32Array;
  m: Float32Array;
  v: Float32Array;
}

/** Sorted distinct ids in [lo, hi) from any number of id lists. */
export function distinctIds(lists: Iterable<ArrayLike<number>>, lo: number, hi: number): Int32Array {
  const seen = new Set<number>();
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (Number.isInteger(id) && id >= lo && id < hi) seen.add(id);
    }
  }
  return Int32Array.from([...seen].sort((a, b) => a - b));
}

/**
 * Rows `ids` of `from` (a SparseRows-like array keyed by `fromIds`) laid out in `ids` order;
 * rows `from` lacks are zero. Used to carry stored Adam moments into a run's row set.
 */
export function rowsInOrder(fromIds: Int32Array, from: Float32Array, ids: Int32Array, cols: number): Float32Array {
  const at = new Map<number, number>();
  fromIds.forEach((id, k) => at.set(id, k));
  const out = new Float32Array(ids.length * cols);
  ids.forEach((id, r) => {
    const k = at.get(id);
    if (k !== undefined) out.set(from.subarray(k * cols, (k + 1) * cols), r * cols);
  });
  return out;
}

/** `base` (row-major [rows, cols]) with the stored rows written over it (a new array). */
export function withRows(base: Float32Array, rows: SparseRows, cols: number): Float32Array {
  const out = base.slice();
  rows.ids.forEach((id, k) => out.set(rows.values.subarray(k * cols, (k + 1) * cols), id * cols));
  return out;
}

/**
 * Checks a stored sparse-rows record against a parameter of `rows` x `cols`: typed arrays,
 * ids strictly increasing within [0, rows), one row of values per id, finite values. Returns the
 * problem, or null when it is sound.
 */
export function sparseRowsProblem(x: unknown, where: string, rows: number, cols: number, arrays: readonly string[] = ['values']): string | null {
  if (typeof x !== 'object' || x === null) return `${where} is not a set of rows`;
  const r = x as Record<string, unknown>;
  const ids = r.ids;
  if (!(ids instanceof Int32Array)) return `${where}.ids is not int32 data`;
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < rows)) return `${where}.ids has row ${ids[i]}, outside 0..${rows - 1}`;
    if (i > 0 && ids[i] <= ids[i - 1]) return `${where}.ids are not strictly increasing`;
  }
  for (const name of arrays) {
    const v = r[name];
    if (!(v instanceof Float32Array)) return `${where}.${name} is not float32 data`;
    if (v.length !== ids.length * cols) return `${where}.${name} has ${v.length} values for ${ids.length} rows of ${cols}`;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return `${where}.${name} contains NaN or infinite values`;
  }
  return null;
}

/** Parameters that fine-tuning on a large catalog trains, and checkpoints store, by rows. */
export const ROW_PARAMETERS: readonly string[] = ['item_emb'];

/** Row count of each row-stored parameter of a model (what `checkCheckpoint` checks rows against). */
export function rowParameterRows(weights: ReadonlyMap<string, { shape: readonly number[] }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of ROW_PARAMETERS) {
    const w = weights.get(name);
    if (w && w.shape.length === 2) out.set(name, w.shape[0]);
  }
  return out;
}
