import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import { resolveConfig, type SasRecConfig } from './config';
import { float32ToFloat16 } from './float16';
import { MODEL_FORMAT_VERSION, readFormatVersion } from './formatVersion';
import { SasRec } from './sasrec';

/** How weights are stored in the `.bin` shard. */
export type WeightPrecision = 'float32' | 'float16' | 'uint8';

/** `model.json`: the tfjs weights-manifest format plus our config. */
export interface ModelJson {
  format: 'localrec-sasrec';
  /** Model-folder format version (docs/MODEL_FORMAT.md); absent in folders written before it existed (= 1). */
  formatVersion: number;
  config: SasRecConfig;
  /** Names of content features, in `item_features` column order (empty without a content tower). */
  featureNames: string[];
  precision: WeightPrecision;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export const WEIGHTS_FILE = 'weights.bin';
const FEATURES = 'item_features';
/** Sparse item features (CSR): row offsets, column indices, values. Used when smaller than dense. */
const SPARSE = { offsets: 'item_features_offsets', columns: 'item_features_columns', values: 'item_features_values' } as const;
const SPARSE_NAMES: ReadonlySet<string> = new Set(Object.values(SPARSE));

function quantize(name: string, data: Float32Array, shape: number[], precision: WeightPrecision): { spec: tf.io.WeightsManifestEntry; bytes: Uint8Array } {
  if (precision === 'float16') {
    const q = float32ToFloat16(data);
    return { spec: { name, shape, dtype: 'float32', quantization: { dtype: 'float16' } }, bytes: new Uint8Array(q.buffer) };
  }
  if (precision === 'uint8') {
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) { if (v < min) min = v; if (v > max) max = v; }
    if (!Number.isFinite(min)) { min = 0; max = 0; }
    const scale = max > min ? (max - min) / 255 : 1;
    const q = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) q[i] = Math.round((data[i] - min) / scale);
    return { spec: { name, shape, dtype: 'float32', quantization: { dtype: 'uint8', min, scale } }, bytes: q };
  }
  return { spec: { name, shape, dtype: 'float32' }, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Serialises a model to `model.json` + one weights shard. */
export async function encodeModel(model: SasRec, featureNames: string[], precision: WeightPrecision = 'float32'): Promise<{ json: ModelJson; weights: Uint8Array }> {
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  const add = (name: string, data: Float32Array, shape: number[], p: WeightPrecision) => {
    const { spec, bytes } = quantize(name, data, shape, p);
    specs.push(spec);
    parts.push(bytes.slice());
  };
  for (const [name, v] of model.weights) add(name, (await v.data()) as Float32Array, v.shape, precision);
  if (model.features) {
    const dense = (await model.features.data()) as Float32Array;
    const [rows, cols] = model.features.shape;
    // Features are 0..1 fractions: float16 is exact enough for the dense form and half the size.
    const denseBytes = dense.length * (precision === 'float32' ? 4 : 2);
    let nnz = 0;
    for (const v of dense) if (v !== 0) nnz++;
    if (nnz * 8 + (rows + 1) * 4 < denseBytes) {
      // Multi-hot features (genres, decades, hashed title words) are mostly zeros: CSR, exact values.
      const offsets = new Int32Array(rows + 1);
      const columns = new Int32Array(nnz);
      const values = new Float32Array(nnz);
      let k = 0;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const v = dense[r * cols + c];
          if (v !== 0) { columns[k] = c; values[k] = v; k++; }
        }
        offsets[r + 1] = k;
      }
      specs.push({ name: SPARSE.offsets, shape: [rows + 1], dtype: 'int32' }, { name: SPARSE.columns, shape: [nnz], dtype: 'int32' });
      parts.push(new Uint8Array(offsets.buffer), new Uint8Array(columns.buffer));
      add(SPARSE.values, values, [nnz], 'float32');
    } else {
      add(FEATURES, dense, model.features.shape, precision === 'float32' ? 'float32' : 'float16');
    }
  }
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const weights = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { weights.set(p, off); off += p.byteLength; }
  return {
    json: {
      format: 'localrec-sasrec',
      formatVersion: MODEL_FORMAT_VERSION,
      config: model.config,
      featureNames,
      precision,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
    },
    weights,
  };
}

/** Checks the shape of a parsed model.json, with a message that says what is wrong. */
export function validateModelJson(x: unknown, where: string): ModelJson {
  const bad = (what: string) =>
    new LocalRecError('MODEL_FORMAT', `${where}: ${what}. Re-export the model with "npm run pretrain" or point to a LocalRec model folder.`);
  if (typeof x !== 'object' || x === null) throw bad('not a JSON object');
  const j = x as Partial<ModelJson>;
  if (j.format !== 'localrec-sasrec') throw bad(`format is "${String(j.format)}", expected "localrec-sasrec"`);
  const formatVersion = readFormatVersion(j.formatVersion, where);
  if (!j.config || typeof j.config.numItems !== 'number') throw bad('config.numItems is missing');
  if (!Array.isArray(j.weightsManifest) || j.weightsManifest.length === 0) throw bad('weightsManifest is missing');
  return { ...j, formatVersion, config: resolveConfig(j.config), featureNames: j.featureNames ?? [] } as ModelJson;
}

/** Rebuilds a model from `model.json` and the concatenated bytes of its shards. */
export function decodeModel(json: ModelJson, weightData: ArrayBuffer): SasRec {
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const expected = specs.reduce((s, w) => s + entryBytes(w), 0);
  if (weightData.byteLength !== expected) {
    throw new LocalRecError('MODEL_FORMAT', `Weights are ${weightData.byteLength} bytes but model.json describes ${expected}. The weights file is truncated or belongs to another model.`);
  }
  const { rest, restData, sparse } = splitSparseFeatures(specs, weightData);
  const sparseFeatures = sparse ? denseFromSparse(sparse, json.config.numItems + 1, json.config.numFeatures) : null;
  const tensors = tf.io.decodeWeights(restData, rest);
  const reference = SasRec.create(json.config, 0);
  const weights = new Map<string, tf.Variable>();
  try {
    for (const [name, v] of reference.weights) {
      const t = tensors[name];
      if (!t) throw new LocalRecError('MODEL_FORMAT', `Weight "${name}" is missing from the model files.`);
      if (t.shape.join('x') !== v.shape.join('x')) {
        throw new LocalRecError('MODEL_FORMAT', `Weight "${name}" has shape [${t.shape}] but the config needs [${v.shape}].`);
      }
      weights.set(name, tf.variable(t, true));
    }
  } catch (err) {
    // Bad files must not leak the decoded tensors or the variables made so far.
    for (const v of weights.values()) v.dispose();
    for (const t of Object.values(tensors)) t.dispose();
    throw err;
  } finally {
    reference.dispose();
  }
  const features = sparseFeatures
    ? tf.tensor2d(sparseFeatures, [json.config.numItems + 1, json.config.numFeatures])
    : ((tensors[FEATURES] as tf.Tensor2D | undefined) ?? null);
  for (const [name, t] of Object.entries(tensors)) if (!weights.has(name) && name !== FEATURES) t.dispose();
  const model = new SasRec(json.config, weights, features);
  for (const name of weights.keys()) tensors[name].dispose();
  return model;
}

const entryBytes = (w: tf.io.WeightsManifestEntry): number => {
  const q = w.quantization?.dtype;
  return w.shape.reduce((a, b) => a * b, 1) * (q === 'uint8' ? 1 : q === 'float16' ? 2 : 4);
};

interface SparseParts { offsets: Int32Array; columns: Int32Array; values: Float32Array }

/** Takes the sparse item-feature entries out of the shard (read as plain arrays, no tensors). */
function splitSparseFeatures(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): { rest: tf.io.WeightsManifestEntry[]; restData: ArrayBuffer; sparse: SparseParts | null } {
  if (!specs.some((w) => SPARSE_NAMES.has(w.name))) return { rest: specs, restData: data, sparse: null };
  const rest: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  const found = new Map<string, ArrayBuffer>();
  let offset = 0;
  for (const w of specs) {
    const n = entryBytes(w);
    if (SPARSE_NAMES.has(w.name)) {
      if (w.quantization || (w.name === SPARSE.values ? w.dtype !== 'float32' : w.dtype !== 'int32')) {
        throw new LocalRecError('MODEL_FORMAT', `Weight "${w.name}" has dtype ${w.dtype}${w.quantization ? ` quantized to ${w.quantization.dtype}` : ''}; sparse item features must be int32 offsets/columns and float32 values. Re-export the model.`);
      }
      found.set(w.name, data.slice(offset, offset + n));
    } else {
      rest.push(w);
      chunks.push(new Uint8Array(data, offset, n));
    }
    offset += n;
  }
  const missing = Object.values(SPARSE).filter((name) => !found.has(name));
  if (missing.length) throw new LocalRecError('MODEL_FORMAT', `Sparse item features are incomplete: "${missing.join('", "')}" missing from the model files. Re-export the model.`);
  const restData = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) { restData.set(c, at); at += c.byteLength; }
  return {
    rest,
    restData: restData.buffer,
    sparse: {
      offsets: new Int32Array(found.get(SPARSE.offsets) as ArrayBuffer),
      columns: new Int32Array(found.get(SPARSE.columns) as ArrayBuffer),
      values: new Float32Array(found.get(SPARSE.values) as ArrayBuffer),
    },
  };
}

/** Dense [rows, cols] features from CSR parts, checking every index. */
function denseFromSparse({ offsets, columns, values }: SparseParts, rows: number, cols: number): Float32Array {
  const bad = (what: string) => new LocalRecError('MODEL_FORMAT', `Sparse item features: ${what}. The model files are damaged or belong to another model; re-export it.`);
  if (offsets.length !== rows + 1) throw bad(`${offsets.length} row offsets for ${rows} item rows (expected ${rows + 1})`);
  if (columns.length !== values.length) throw bad(`${columns.length} column indices but ${values.length} values`);
  if (offsets[0] !== 0 || offsets[rows] !== columns.length) throw bad(`row offsets must run from 0 to ${columns.length}`);
  const dense = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (offsets[r + 1] < offsets[r]) throw bad(`row offsets decrease at row ${r}`);
    for (let k = offsets[r]; k < offsets[r + 1]; k++) {
      const c = columns[k];
      if (!(c >= 0 && c < cols)) throw bad(`column ${c} at row ${r} is outside 0..${cols - 1}`);
      dense[r * cols + c] = values[k];
    }
  }
  return dense;
}
