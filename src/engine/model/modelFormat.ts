import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import { resolveConfig, type SasRecConfig } from './config';
import { float32ToFloat16 } from './float16';
import { MODEL_FORMAT_VERSION, readFormatVersion } from './formatVersion';
import { SasRec } from './sasrec';
import { decodeSparseFeatures, encodeSparseFeatures, SPARSE_NAMES, sparseEntryBytes, type SparseEntry, type StoredSparseEntry } from './sparseFeatures';

/** How weights are stored in the `.bin` shard. */
export type WeightPrecision = 'float32' | 'float16' | 'uint8';

/**
 * One entry of model.json's weightsManifest: a tfjs entry, or (item_features_offsets / _columns /
 * _values) a sparse-feature entry whose `dtype` is the stored type (sparseFeatures.ts).
 */
export type ModelWeightEntry = tf.io.WeightsManifestEntry | SparseEntry;

/** `model.json`: the tfjs weights-manifest format plus our config. */
export interface ModelJson {
  format: 'localrec-sasrec';
  /** Model-folder format version (docs/MODEL_FORMAT.md); absent in folders written before it existed (= 1). */
  formatVersion: number;
  config: SasRecConfig;
  /** Names of content features, in `item_features` column order (empty without a content tower). */
  featureNames: string[];
  precision: WeightPrecision;
  weightsManifest: { paths: string[]; weights: ModelWeightEntry[] }[];
}

export const WEIGHTS_FILE = 'weights.bin';
const FEATURES = 'item_features';

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
  const specs: ModelWeightEntry[] = [];
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
    // Multi-hot features (genres, decades, hashed title words) are mostly zeros: CSR when smaller,
    // lossless in a float32 folder (sparseFeatures.ts has the storage rules).
    const sparse = encodeSparseFeatures(dense, rows, cols, precision === 'float32', denseBytes);
    if (sparse) {
      specs.push(...sparse.specs);
      parts.push(...sparse.parts);
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
  const sparseFeatures = sparse ? decodeSparseFeatures(sparse, json.config.numItems + 1, json.config.numFeatures) : null;
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

/** Bytes of one entry in the shard; sparse entries are checked (dtype, shape) on the way. */
const entryBytes = (w: ModelWeightEntry): number => {
  if (SPARSE_NAMES.has(w.name)) return sparseEntryBytes(w);
  const q = (w as tf.io.WeightsManifestEntry).quantization?.dtype;
  return w.shape.reduce((a, b) => a * b, 1) * (q === 'uint8' ? 1 : q === 'float16' ? 2 : 4);
};

/** Takes the sparse item-feature entries out of the shard (read as plain arrays, no tensors). */
function splitSparseFeatures(specs: ModelWeightEntry[], data: ArrayBuffer): { rest: tf.io.WeightsManifestEntry[]; restData: ArrayBuffer; sparse: Map<string, StoredSparseEntry> | null } {
  if (!specs.some((w) => SPARSE_NAMES.has(w.name))) return { rest: specs as tf.io.WeightsManifestEntry[], restData: data, sparse: null };
  const rest: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  const found = new Map<string, StoredSparseEntry>();
  let offset = 0;
  for (const w of specs) {
    const n = entryBytes(w);
    if (SPARSE_NAMES.has(w.name)) {
      found.set(w.name, { entry: w as SparseEntry, bytes: data.slice(offset, offset + n) });
    } else {
      rest.push(w as tf.io.WeightsManifestEntry);
      chunks.push(new Uint8Array(data, offset, n));
    }
    offset += n;
  }
  const restData = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) { restData.set(c, at); at += c.byteLength; }
  return { rest, restData: restData.buffer, sparse: found };
}
