import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import { resolveConfig, type SasRecConfig } from './config';
import { float32ToFloat16 } from './float16';
import { SasRec } from './sasrec';

/** How weights are stored in the `.bin` shard. */
export type WeightPrecision = 'float32' | 'float16' | 'uint8';

/** `model.json`: the tfjs weights-manifest format plus our config. */
export interface ModelJson {
  format: 'localrec-sasrec';
  formatVersion: 1;
  config: SasRecConfig;
  /** Names of content features, in `item_features` column order (empty without a content tower). */
  featureNames: string[];
  precision: WeightPrecision;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
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
  const specs: tf.io.WeightsManifestEntry[] = [];
  const add = (name: string, data: Float32Array, shape: number[], p: WeightPrecision) => {
    const { spec, bytes } = quantize(name, data, shape, p);
    specs.push(spec);
    parts.push(bytes.slice());
  };
  for (const [name, v] of model.weights) add(name, (await v.data()) as Float32Array, v.shape, precision);
  // Features are 0..1 fractions: float16 is exact enough and half the size.
  if (model.features) add(FEATURES, (await model.features.data()) as Float32Array, model.features.shape, precision === 'float32' ? 'float32' : 'float16');
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const weights = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { weights.set(p, off); off += p.byteLength; }
  return {
    json: {
      format: 'localrec-sasrec',
      formatVersion: 1,
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
  if (j.formatVersion !== 1) throw bad(`formatVersion ${String(j.formatVersion)} is not supported (expected 1)`);
  if (!j.config || typeof j.config.numItems !== 'number') throw bad('config.numItems is missing');
  if (!Array.isArray(j.weightsManifest) || j.weightsManifest.length === 0) throw bad('weightsManifest is missing');
  return { ...j, config: resolveConfig(j.config), featureNames: j.featureNames ?? [] } as ModelJson;
}

/** Rebuilds a model from `model.json` and the concatenated bytes of its shards. */
export function decodeModel(json: ModelJson, weightData: ArrayBuffer): SasRec {
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const expected = specs.reduce((s, w) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const q = w.quantization?.dtype;
    return s + n * (q === 'uint8' ? 1 : q === 'float16' ? 2 : 4);
  }, 0);
  if (weightData.byteLength !== expected) {
    throw new LocalRecError('MODEL_FORMAT', `Weights are ${weightData.byteLength} bytes but model.json describes ${expected}. The weights file is truncated or belongs to another model.`);
  }
  const tensors = tf.io.decodeWeights(weightData, specs);
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
  const features = (tensors[FEATURES] as tf.Tensor2D | undefined) ?? null;
  for (const [name, t] of Object.entries(tensors)) if (!weights.has(name) && name !== FEATURES) t.dispose();
  const model = new SasRec(json.config, weights, features);
  for (const name of weights.keys()) tensors[name].dispose();
  return model;
}
