/**
 * Content features stored as CSR (compressed sparse rows) in a model folder: row offsets, column
 * indices and values, three entries of weights.bin (docs/MODEL_FORMAT.md, "Sparse item features").
 *
 * Each entry's `dtype` is the type stored in weights.bin (not the tfjs `quantization` mechanism):
 *
 * - offsets: `int32`, [rows + 1];
 * - columns: `uint16` when numFeatures <= 65,536 (every index fits), else `int32`;
 * - values, the first rule that holds:
 *   1. every value is 1 (plain multi-hot): `dtype: "implicit", fill: "one"`, no bytes;
 *   2. every value is float32(1 / non-zeros of its row) (row-normalised multi-hot):
 *      `dtype: "implicit", fill: "inverseRowCount"`, no bytes;
 *   3. every value survives float16: exactly in a float32 folder, within a relative error of
 *      2^-11 (FLOAT16_MAX_RELATIVE_ERROR, the rounding the dense float16 features of float16 and
 *      uint8 folders have) otherwise: `float16`;
 *   4. else `float32`.
 *
 * Format version 1 wrote int32 columns and float32 values; both are still read (they are the
 * `int32` and `float32` cases above). The PyTorch writer (trainers/torch/localrec_torch/folder.py)
 * applies the same rules to its float32 folders.
 */
import { LocalRecError } from '../errors';
import { float16ToFloat32, float32ToFloat16 } from './float16';

export const SPARSE = { offsets: 'item_features_offsets', columns: 'item_features_columns', values: 'item_features_values' } as const;
export type SparseName = (typeof SPARSE)[keyof typeof SPARSE];
export const SPARSE_NAMES: ReadonlySet<string> = new Set(Object.values(SPARSE));

/** Column indices are stored as uint16 up to this many features (indices 0..65,535). */
export const UINT16_MAX_FEATURES = 65_536;
/** Largest relative error of a value stored as float16 in a float16 or uint8 folder (half a float16 ulp). */
export const FLOAT16_MAX_RELATIVE_ERROR = 2 ** -11;

/** How values that are not stored are rebuilt: 1, or 1 / (non-zeros of the row). */
export type SparseFill = 'one' | 'inverseRowCount';
export type SparseDtype = 'int32' | 'uint16' | 'float32' | 'float16' | 'implicit';

/** A CSR entry of model.json's weightsManifest; `dtype` is what weights.bin holds. */
export interface SparseEntry {
  name: SparseName;
  shape: number[];
  dtype: SparseDtype;
  /** Only with dtype "implicit": the values are not stored but rebuilt by this rule. */
  fill?: SparseFill;
}

const ALLOWED: Record<SparseName, readonly SparseDtype[]> = {
  [SPARSE.offsets]: ['int32'],
  [SPARSE.columns]: ['uint16', 'int32'],
  [SPARSE.values]: ['float32', 'float16', 'implicit'],
};
const FILLS: readonly string[] = ['one', 'inverseRowCount'];
const DTYPE_BYTES: Record<SparseDtype, number> = { int32: 4, uint16: 2, float32: 4, float16: 2, implicit: 0 };

const bad = (what: string) =>
  new LocalRecError('MODEL_FORMAT', `Sparse item features: ${what}. The model files are damaged or belong to another model; re-export it.`);

/** Bytes an entry takes in weights.bin, after checking its dtype, shape and fill. */
export function sparseEntryBytes(w: { name: string; shape: number[]; dtype: string; fill?: unknown; quantization?: { dtype: string } }): number {
  const allowed = ALLOWED[w.name as SparseName];
  if (w.quantization || !allowed.includes(w.dtype as SparseDtype)) {
    throw new LocalRecError('MODEL_FORMAT',
      `Sparse item features: "${w.name}" has dtype ${JSON.stringify(w.dtype)}${w.quantization ? ` quantized to ${w.quantization.dtype}` : ''}; ` +
      `this LocalRec reads ${allowed.join(' or ')} there (docs/MODEL_FORMAT.md). ` +
      'The folder was written by a newer or different exporter: update LocalRec, or re-export the model with this version (npm run export:model).');
  }
  if (!Array.isArray(w.shape) || w.shape.length !== 1 || !Number.isInteger(w.shape[0]) || w.shape[0] < 0) {
    throw bad(`"${w.name}" has shape ${JSON.stringify(w.shape)}; CSR entries are one-dimensional`);
  }
  if (w.dtype === 'implicit' && !FILLS.includes(w.fill as string)) {
    throw new LocalRecError('MODEL_FORMAT',
      `Sparse item features: "${w.name}" is implicit with fill ${JSON.stringify(w.fill)}; this LocalRec reads fill "one" or "inverseRowCount". ` +
      'The folder was written by a newer or different exporter: update LocalRec, or re-export the model with this version (npm run export:model).');
  }
  return w.shape[0] * DTYPE_BYTES[w.dtype as SparseDtype];
}

/** float32(1 / n), the value of every non-zero in a row-normalised multi-hot row with n non-zeros. */
const inverse = (n: number): number => Math.fround(1 / n);

/** The values' storage (rules 1-4 above); `lossless` for float32 folders. */
export function chooseValueStorage(values: Float32Array, offsets: Int32Array, lossless: boolean): Pick<SparseEntry, 'dtype' | 'fill'> {
  if (values.every((v) => v === 1)) return { dtype: 'implicit', fill: 'one' };
  let rowUniform = true;
  for (let r = 0; r + 1 < offsets.length && rowUniform; r++) {
    const expected = inverse(offsets[r + 1] - offsets[r]);
    for (let k = offsets[r]; k < offsets[r + 1]; k++) if (values[k] !== expected) { rowUniform = false; break; }
  }
  if (rowUniform) return { dtype: 'implicit', fill: 'inverseRowCount' };
  const half = float16ToFloat32(float32ToFloat16(values));
  const fits = lossless
    ? half.every((h, i) => h === values[i])
    : half.every((h, i) => Math.abs(h - values[i]) <= FLOAT16_MAX_RELATIVE_ERROR * Math.abs(values[i]));
  return { dtype: fits ? 'float16' : 'float32' };
}

/**
 * The CSR entries and their bytes for a dense [rows, cols] matrix, or null when they would not be
 * smaller than `denseBytes` (the size of the dense form in this folder).
 */
export function encodeSparseFeatures(dense: Float32Array, rows: number, cols: number, lossless: boolean, denseBytes: number): { specs: SparseEntry[]; parts: Uint8Array[] } | null {
  let nnz = 0;
  for (const v of dense) if (v !== 0) nnz++;
  const uint16 = cols <= UINT16_MAX_FEATURES;
  const offsetBytes = (rows + 1) * 4;
  const columnBytes = nnz * (uint16 ? 2 : 4);
  if (offsetBytes + columnBytes >= denseBytes) return null; // not smaller even with no value bytes
  const offsets = new Int32Array(rows + 1);
  const columns = uint16 ? new Uint16Array(nnz) : new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = dense[r * cols + c];
      if (v !== 0) { columns[k] = c; values[k] = v; k++; }
    }
    offsets[r + 1] = k;
  }
  const storage = chooseValueStorage(values, offsets, lossless);
  const valueBytes = storage.dtype === 'implicit' ? new Uint8Array(0)
    : storage.dtype === 'float16' ? new Uint8Array(float32ToFloat16(values).buffer)
      : new Uint8Array(values.buffer);
  if (offsetBytes + columnBytes + valueBytes.byteLength >= denseBytes) return null;
  return {
    specs: [
      { name: SPARSE.offsets, shape: [rows + 1], dtype: 'int32' },
      { name: SPARSE.columns, shape: [nnz], dtype: uint16 ? 'uint16' : 'int32' },
      { name: SPARSE.values, shape: [nnz], ...storage },
    ],
    parts: [new Uint8Array(offsets.buffer), new Uint8Array(columns.buffer), valueBytes],
  };
}

/** One CSR entry with its bytes (a copy, aligned), as found in weights.bin. */
export interface StoredSparseEntry { entry: SparseEntry; bytes: ArrayBuffer }

/** Dense [rows, cols] features from the three CSR entries, checking every count, offset and index. */
export function decodeSparseFeatures(found: ReadonlyMap<string, StoredSparseEntry>, rows: number, cols: number): Float32Array {
  const missing = Object.values(SPARSE).filter((name) => !found.has(name));
  if (missing.length) throw new LocalRecError('MODEL_FORMAT', `Sparse item features are incomplete: "${missing.join('", "')}" missing from the model files. Re-export the model.`);
  const get = (name: SparseName) => found.get(name) as StoredSparseEntry;
  const o = get(SPARSE.offsets);
  const c = get(SPARSE.columns);
  const v = get(SPARSE.values);
  const offsets = new Int32Array(o.bytes);
  const columns = c.entry.dtype === 'uint16' ? new Uint16Array(c.bytes) : new Int32Array(c.bytes);
  const nnz = columns.length;
  if (offsets.length !== rows + 1) throw bad(`${offsets.length} row offsets for ${rows} item rows (expected ${rows + 1})`);
  if (v.entry.shape[0] !== nnz) throw bad(`${nnz} column indices but ${v.entry.shape[0]} values`);
  if (offsets[0] !== 0 || offsets[rows] !== nnz) throw bad(`row offsets must run from 0 to ${nnz}`);
  for (let r = 0; r < rows; r++) if (offsets[r + 1] < offsets[r]) throw bad(`row offsets decrease at row ${r}`);
  const values = v.entry.dtype === 'float32' ? new Float32Array(v.bytes)
    : v.entry.dtype === 'float16' ? float16ToFloat32(new Uint16Array(v.bytes))
      : null;
  const dense = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const fill = v.entry.fill === 'one' ? 1 : inverse(offsets[r + 1] - offsets[r]);
    for (let k = offsets[r]; k < offsets[r + 1]; k++) {
      const col = columns[k];
      if (!(col >= 0 && col < cols)) throw bad(`column ${col} at row ${r} is outside 0..${cols - 1}`);
      dense[r * cols + col] = values ? values[k] : fill;
    }
  }
  return dense;
}
