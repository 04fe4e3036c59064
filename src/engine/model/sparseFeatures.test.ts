import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from './float16';
import { expectModelFormatError } from '../testing/modelFormatError';
import {
  chooseValueStorage, decodeSparseFeatures, encodeSparseFeatures, FLOAT16_MAX_RELATIVE_ERROR, SPARSE, sparseEntryBytes,
  UINT16_MAX_FEATURES, type SparseEntry, type StoredSparseEntry,
} from './sparseFeatures';

/** Rows with 1-3 non-zeros each (row 0 empty, like the padding item), values from `value(row, k, n)`. */
function matrix(rows: number, cols: number, value: (row: number, k: number, n: number) => number): Float32Array {
  const m = new Float32Array(rows * cols);
  for (let r = 1; r < rows; r++) {
    const hot = [...new Set([(r * 7) % cols, (r * 13 + 5) % cols, ...(r % 3 === 0 ? [cols - 1] : [])])];
    hot.forEach((c, k) => { m[r * cols + c] = value(r, k, hot.length); });
  }
  return m;
}

/** What the loader gets: each entry with a copy of its bytes, as weights.bin would hold them. */
function stored(specs: SparseEntry[], parts: Uint8Array[]): Map<string, StoredSparseEntry> {
  return new Map(specs.map((entry, i) => {
    expect(parts[i].byteLength, entry.name).toBe(sparseEntryBytes(entry));
    return [entry.name, { entry, bytes: parts[i].slice().buffer }];
  }));
}

function roundTrip(dense: Float32Array, rows: number, cols: number, lossless: boolean) {
  const out = encodeSparseFeatures(dense, rows, cols, lossless, dense.length * 4);
  if (!out) throw new Error('expected CSR');
  return { specs: out.specs, bytes: out.parts.reduce((s, p) => s + p.byteLength, 0), back: decodeSparseFeatures(stored(out.specs, out.parts), rows, cols) };
}

const VALUES: { name: string; value: (r: number, k: number, n: number) => number; dtype: string; fill?: string; bytesPerValue: number }[] = [
  { name: 'plain multi-hot (all 1)', value: () => 1, dtype: 'implicit', fill: 'one', bytesPerValue: 0 },
  { name: 'row-normalised multi-hot (1 / non-zeros)', value: (_r, _k, n) => 1 / n, dtype: 'implicit', fill: 'inverseRowCount', bytesPerValue: 0 },
  { name: 'exact in float16 (k/8)', value: (r, k) => ((r + k) % 8 + 1) / 8, dtype: 'float16', bytesPerValue: 2 },
  { name: 'not exact in float16 (weighted, 1/3 + 1/7)', value: (r, k) => 1 / 3 + (r % 5) / 7 + k, dtype: 'float32', bytesPerValue: 4 },
];

describe('sparse item features: compact CSR (format version 2)', () => {
  for (const cols of [29, UINT16_MAX_FEATURES + 1]) {
    const columns = cols <= UINT16_MAX_FEATURES ? 'uint16' : 'int32';
    for (const v of VALUES) {
      it(`${cols} features (${columns} columns), ${v.name}: ${v.fill ?? v.dtype} values, bit-identical round trip (float32 folder)`, () => {
        const rows = cols > 1000 ? 5 : 40;
        const dense = matrix(rows, cols, v.value);
        const { specs, bytes, back } = roundTrip(dense, rows, cols, true);
        const nnz = specs[1].shape[0];
        expect(specs).toEqual([
          { name: SPARSE.offsets, shape: [rows + 1], dtype: 'int32' },
          { name: SPARSE.columns, shape: [nnz], dtype: columns },
          { name: SPARSE.values, shape: [nnz], dtype: v.dtype, ...(v.fill ? { fill: v.fill } : {}) },
        ]);
        expect(bytes).toBe((rows + 1) * 4 + nnz * (columns === 'uint16' ? 2 : 4) + nnz * v.bytesPerValue);
        expect(Buffer.from(back.buffer).equals(Buffer.from(dense.buffer))).toBe(true);
      });
    }
  }

  it('65,536 features still fit uint16 (largest index 65,535); 65,537 take int32', () => {
    for (const [cols, dtype] of [[UINT16_MAX_FEATURES, 'uint16'], [UINT16_MAX_FEATURES + 1, 'int32']] as const) {
      const dense = new Float32Array(3 * cols);
      dense[cols + cols - 1] = 1; // row 1, last column
      dense[2 * cols] = 1;
      const { specs, back } = roundTrip(dense, 3, cols, true);
      expect(specs[1].dtype).toBe(dtype);
      expect(back[2 * cols - 1]).toBe(1);
      expect(back.reduce((a, b) => a + b, 0)).toBe(2);
    }
  });

  it('float16 / uint8 folders (lossy allowed): float16 values within a relative 2^-11; tiny or huge values stay float32', () => {
    const values = Float32Array.from([0.1, 1 / 3, 0.7, 0.2]);
    const offsets = Int32Array.from([0, 2, 4]);
    expect(chooseValueStorage(values, offsets, true)).toEqual({ dtype: 'float32' });
    expect(chooseValueStorage(values, offsets, false)).toEqual({ dtype: 'float16' });
    const half = float16ToFloat32(float32ToFloat16(values));
    for (let i = 0; i < values.length; i++) expect(Math.abs(half[i] - values[i])).toBeLessThanOrEqual(FLOAT16_MAX_RELATIVE_ERROR * values[i]);
    // Below float16's normal range (2^-14) the relative error grows; above 65,504 it overflows.
    expect(chooseValueStorage(Float32Array.from([0.5, 1e-6]), Int32Array.from([0, 2]), false)).toEqual({ dtype: 'float32' });
    expect(chooseValueStorage(Float32Array.from([0.5, 70_000]), Int32Array.from([0, 2]), false)).toEqual({ dtype: 'float32' });
    // Row-normalised rows are implicit even when one row differs in count.
    expect(chooseValueStorage(Float32Array.from([0.5, 0.5, 1, Math.fround(1 / 3), Math.fround(1 / 3), Math.fround(1 / 3)]), Int32Array.from([0, 2, 3, 6]), true))
      .toEqual({ dtype: 'implicit', fill: 'inverseRowCount' });
    // One value off 1/n in one row: not implicit.
    expect(chooseValueStorage(Float32Array.from([0.5, 0.25]), Int32Array.from([0, 2]), true)).toEqual({ dtype: 'float16' });
  });

  it('dense is kept when CSR would not be smaller', () => {
    const dense = Float32Array.from({ length: 10 * 4 }, (_, i) => 0.1 + i);
    expect(encodeSparseFeatures(dense, 10, 4, true, dense.length * 4)).toBeNull();
  });
});

describe('sparse item features: damaged or unknown entries', () => {
  const rows = 12;
  const cols = 29;
  const encoded = () => {
    const out = encodeSparseFeatures(matrix(rows, cols, () => 0.25), rows, cols, true, rows * cols * 4);
    if (!out) throw new Error('expected CSR');
    return out;
  };
  const fails = expectModelFormatError;

  it('unknown dtypes, fills and shapes are named with what this LocalRec reads and what to do', () => {
    const what = /update LocalRec, or re-export the model with this version \(npm run export:model\)/;
    fails(() => sparseEntryBytes({ name: SPARSE.columns, shape: [4], dtype: 'uint8' }), /"item_features_columns" has dtype "uint8"; this LocalRec reads uint16 or int32 there/);
    fails(() => sparseEntryBytes({ name: SPARSE.columns, shape: [4], dtype: 'uint8' }), what);
    fails(() => sparseEntryBytes({ name: SPARSE.values, shape: [4], dtype: 'bfloat16' }), /"item_features_values" has dtype "bfloat16"; this LocalRec reads float32 or float16 or implicit there/);
    fails(() => sparseEntryBytes({ name: SPARSE.offsets, shape: [4], dtype: 'uint16' }), /"item_features_offsets" has dtype "uint16"; this LocalRec reads int32 there/);
    fails(() => sparseEntryBytes({ name: SPARSE.values, shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } }), /dtype "float32" quantized to float16/);
    fails(() => sparseEntryBytes({ name: SPARSE.values, shape: [4], dtype: 'implicit', fill: 'zero' }), /implicit with fill "zero"; this LocalRec reads fill "one" or "inverseRowCount"/);
    fails(() => sparseEntryBytes({ name: SPARSE.values, shape: [4], dtype: 'implicit' }), /implicit with fill undefined/);
    fails(() => sparseEntryBytes({ name: SPARSE.columns, shape: [2, 2], dtype: 'uint16' }), /"item_features_columns" has shape \[2,2\]; CSR entries are one-dimensional/);
  });

  it('a column index out of range, offsets that decrease or do not match, counts that differ: named, with re-export', () => {
    const { specs, parts } = encoded();
    const columns = new Uint16Array(parts[1].slice().buffer);
    columns[0] = cols;
    fails(() => decodeSparseFeatures(stored(specs, [parts[0], new Uint8Array(columns.buffer), parts[2]]), rows, cols),
      /Sparse item features: column 29 at row 1 is outside 0\.\.28\. The model files are damaged or belong to another model; re-export it\./);
    const offsets = new Int32Array(parts[0].slice().buffer);
    [offsets[3], offsets[4]] = [offsets[4], offsets[3]];
    fails(() => decodeSparseFeatures(stored(specs, [new Uint8Array(offsets.buffer), parts[1], parts[2]]), rows, cols), /row offsets decrease at row 3/);
    fails(() => decodeSparseFeatures(stored(specs, parts), rows + 1, cols), /13 row offsets for 13 item rows \(expected 14\)/);
    const nnz = specs[1].shape[0];
    const shorter: SparseEntry[] = [specs[0], specs[1], { ...specs[2], shape: [nnz - 1] }];
    fails(() => decodeSparseFeatures(stored(shorter, [parts[0], parts[1], parts[2].slice(0, (nnz - 1) * 2)]), rows, cols), new RegExp(`${nnz} column indices but ${nnz - 1} values`));
    fails(() => decodeSparseFeatures(new Map([...stored(specs, parts)].filter(([name]) => name !== SPARSE.offsets)), rows, cols), /"item_features_offsets" missing/);
  });
});
