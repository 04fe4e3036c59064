/**
 * The compact file the PyTorch trainer reads (trainers/torch/localrec_torch/data.py): the data as
 * the TypeScript loaders and the leave-one-out split see it, so both trainers train and validate
 * on exactly the same sequences and cases. data.json lists int32/float32 arrays stored back to
 * back (little-endian) in data.bin.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRecError } from '../../src/engine/errors';
import type { EvalCase } from '../../src/engine/eval/rankTargets';
import { Rng } from '../../src/engine/train/rng';
import type { LooSplit } from './split';

export const TORCH_DATA_FORMAT = 'localrec-torch-data';

/** One array of data.bin. */
export interface TorchArray {
  name: string;
  dtype: 'int32' | 'float32';
  /** Byte offset in data.bin. */
  offset: number;
  /** Number of elements. */
  length: number;
}

/** data.json. */
export interface TorchDataMeta {
  format: typeof TORCH_DATA_FORMAT;
  version: 1;
  numItems: number;
  numFeatures: number;
  featureNames: string[];
  trainSequences: number;
  validCases: number;
  testCases: number;
  arrays: TorchArray[];
}

export interface TorchDataInput {
  split: LooSplit;
  numItems: number;
  /** Dense [numItems+1, featureNames.length] row-major features, or null. */
  features: Float32Array | null;
  featureNames: string[];
  /** Validation users scored each epoch (a fixed random subset, as the Node trainer draws it). */
  validUsers: number;
  /** The train seed (the subset is drawn with Rng(seed + 7), like scripts/lib/trainLoop.ts). */
  seed: number;
}

function ragged(rows: ArrayLike<number>[]): { offsets: Int32Array; values: Int32Array } {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, i) => { offsets[i + 1] = offsets[i] + r.length; });
  const values = new Int32Array(offsets[rows.length]);
  rows.forEach((r, i) => values.set(r, offsets[i]));
  return { offsets, values };
}

/** The trainer ranks each case against every item except its history: check that is the case's exclusion list. */
function checkCases(cases: EvalCase[], what: string): void {
  cases.forEach((c, i) => {
    const same = c.exclude.length === c.history.length && Array.prototype.every.call(c.exclude, (v: number, k: number) => v === c.history[k]);
    if (!same) throw new LocalRecError('INTERNAL', `${what} case ${i}: its excluded items differ from its history, which the PyTorch trainer assumes.`);
  });
}

/** Indices of the validation cases scored each epoch: the same subset the Node trainer validates on. */
export function validSubset(count: number, validUsers: number, seed: number): Int32Array {
  if (count <= validUsers) return Int32Array.from({ length: count }, (_, i) => i);
  const rng = new Rng(seed + 7);
  return Int32Array.from(rng.shuffle(Array.from({ length: count }, (_, i) => i)).slice(0, validUsers).sort((a, b) => a - b));
}

/** Writes data.json + data.bin into `dir`; returns data.json's content. */
export function writeTorchData(dir: string, x: TorchDataInput): TorchDataMeta {
  checkCases(x.split.valid, 'validation');
  checkCases(x.split.test, 'test');
  const parts: { name: string; data: Int32Array | Float32Array }[] = [];
  const addRagged = (prefix: string, rows: ArrayLike<number>[]) => {
    const r = ragged(rows);
    parts.push({ name: `${prefix}_offsets`, data: r.offsets }, { name: `${prefix}_items`, data: r.values });
  };
  addRagged('train', x.split.train);
  addRagged('valid', x.split.valid.map((c) => c.history));
  parts.push({ name: 'valid_targets', data: Int32Array.from(x.split.valid, (c) => c.target) });
  addRagged('test', x.split.test.map((c) => c.history));
  parts.push({ name: 'test_targets', data: Int32Array.from(x.split.test, (c) => c.target) });
  parts.push({ name: 'valid_subset', data: validSubset(x.split.valid.length, x.validUsers, x.seed) });
  const cols = x.featureNames.length;
  if (x.features && cols > 0) {
    const rows = x.numItems + 1;
    if (x.features.length !== rows * cols) throw new LocalRecError('INTERNAL', `features hold ${x.features.length} values, expected ${rows} x ${cols}`);
    const offsets = new Int32Array(rows + 1);
    const columns: number[] = [];
    const values: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = x.features[r * cols + c];
        if (v !== 0) { columns.push(c); values.push(v); }
      }
      offsets[r + 1] = columns.length;
    }
    parts.push({ name: 'feat_offsets', data: offsets }, { name: 'feat_columns', data: Int32Array.from(columns) }, { name: 'feat_values', data: Float32Array.from(values) });
  }
  const arrays: TorchArray[] = [];
  let offset = 0;
  for (const p of parts) {
    arrays.push({ name: p.name, dtype: p.data instanceof Float32Array ? 'float32' : 'int32', offset, length: p.data.length });
    offset += p.data.byteLength;
  }
  const bin = new Uint8Array(offset);
  for (const [i, p] of parts.entries()) bin.set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength), arrays[i].offset);
  const meta: TorchDataMeta = {
    format: TORCH_DATA_FORMAT, version: 1, numItems: x.numItems, numFeatures: cols, featureNames: x.featureNames,
    trainSequences: x.split.train.length, validCases: x.split.valid.length, testCases: x.split.test.length, arrays,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.bin'), bin);
  writeFileSync(join(dir, 'data.json'), JSON.stringify(meta, null, 1));
  return meta;
}
