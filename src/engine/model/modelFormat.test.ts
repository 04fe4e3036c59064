import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalRecError, ModelLoadError } from '../errors';
import { useBackend } from '../testing/backend';
import { maxAbsDiff, tinyConfig } from '../testing/fixtures';
import { readWeights } from '../testing/modelCopy';
import { MODEL_FORMAT_VERSION } from './formatVersion';
import { decodeModel, encodeModel, validateModelJson, WEIGHTS_FILE, type ModelJson, type WeightPrecision } from './modelFormat';
import { packSequences, SasRec } from './sasrec';
import { expectModelFormatError } from '../testing/modelFormatError';

beforeAll(() => useBackend('cpu'));

const cfg = tinyConfig({ numItems: 25, numFeatures: 4 });
const features = () => tf.tensor2d(Float32Array.from({ length: 26 * 4 }, (_, i) => ((i * 7) % 5) / 8), [26, 4]);
const histories = [[1, 2, 3], [9, 8, 7, 6, 5, 4, 3, 2, 1], [25]];

async function scoresOf(model: SasRec): Promise<Float32Array> {
  const seqs = packSequences(histories, cfg.maxLen);
  const s = model.scoreLast(seqs);
  const out = (await s.data()) as Float32Array;
  tf.dispose([seqs, s]);
  return out;
}

/** JSON text round trip, as the files would go through disk or the network. */
async function roundTrip(model: SasRec, precision: WeightPrecision): Promise<{ loaded: SasRec; json: ModelJson; bytes: number }> {
  const { json, weights } = await encodeModel(model, ['a', 'b', 'c', 'd'], precision);
  const parsed = validateModelJson(JSON.parse(JSON.stringify(json)), 'model.json');
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return { loaded: decodeModel(parsed, buffer), json: parsed, bytes: weights.byteLength };
}

describe('model files round trip', () => {
  it('float32: bit-identical parameters, features and scores', async () => {
    const model = SasRec.create(cfg, 5, features());
    const { loaded, json } = await roundTrip(model, 'float32');
    expect(json.weightsManifest[0].paths).toEqual([WEIGHTS_FILE]);
    expect(json.featureNames).toEqual(['a', 'b', 'c', 'd']);
    expect(loaded.config).toEqual(model.config);
    const a = await readWeights(model);
    const b = await readWeights(loaded);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, w] of a) {
      const other = b.get(name);
      expect(other?.shape, name).toEqual(w.shape);
      // Compare bit patterns, not float values (also catches -0 vs 0).
      expect(Buffer.from((other?.data ?? new Float32Array()).buffer).equals(Buffer.from(w.data.buffer)), name).toBe(true);
    }
    expect(Array.from(await (loaded.features as tf.Tensor2D).data())).toEqual(Array.from(await (model.features as tf.Tensor2D).data()));
    expect(Array.from(await scoresOf(loaded))).toEqual(Array.from(await scoresOf(model)));
    model.dispose();
    loaded.dispose();
  });

  it('float16 and uint8: half and a quarter of the size, weights and scores within tolerance', async () => {
    const model = SasRec.create(cfg, 5, features());
    const ref = await readWeights(model);
    const refScores = await scoresOf(model);
    const { bytes: full } = await roundTrip(model, 'float32').then((r) => { r.loaded.dispose(); return r; });
    for (const [precision, scoreTol, ratio] of [['float16', 0.05, 0.5], ['uint8', 0.5, 0.25]] as const) {
      const { loaded, bytes, json } = await roundTrip(model, precision);
      expect(json.precision).toBe(precision);
      const paramBytes = [...ref.values()].reduce((s, w) => s + w.data.length * 4, 0);
      // Item features are stored as float16 whenever the weights are quantized.
      expect(bytes).toBe(paramBytes * ratio + 26 * 4 * 2);
      expect(full).toBe(paramBytes + 26 * 4 * 4);
      const got = await readWeights(loaded);
      for (const [name, w] of ref) {
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of w.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        // float16: 11 significant bits; uint8: half a quantization step of the weight's range.
        const tol = precision === 'float16' ? Math.max(Math.abs(lo), Math.abs(hi)) * 2 ** -11 : (hi - lo) / 255 / 2;
        expect(maxAbsDiff(got.get(name)?.data ?? [], w.data), `${precision} ${name}`).toBeLessThanOrEqual(tol * 1.0001 + 1e-7);
      }
      const s = await scoresOf(loaded);
      expect(maxAbsDiff(s.subarray(1), refScores.subarray(1)), precision).toBeLessThan(scoreTol);
      loaded.dispose();
    }
    model.dispose();
  });

  it('decodeModel leaves no tensors behind besides the model', async () => {
    const model = SasRec.create(cfg, 5, features());
    const { json, weights } = await encodeModel(model, [], 'float16');
    const before = tf.memory().numTensors;
    const loaded = decodeModel(json, weights.slice().buffer);
    expect(tf.memory().numTensors).toBe(before + model.weights.size + 1);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('sparse item features (multi-hot catalogs)', () => {
  const sparseCfg = tinyConfig({ numItems: 25, numFeatures: 40 });
  /** Row-normalised multi-hot: 2-3 features per item out of 40, like genres + decade + title words. */
  const multiHot = (): tf.Tensor2D => {
    const m = new Float32Array(26 * 40);
    for (let r = 1; r < 26; r++) {
      const cols = [r % 40, (r * 7 + 3) % 40, ...(r % 3 === 0 ? [(r * 11 + 5) % 40] : [])];
      const unique = [...new Set(cols)];
      for (const c of unique) m[r * 40 + c] = 1 / unique.length;
    }
    return tf.tensor2d(m, [26, 40]);
  };
  const names = Array.from({ length: 40 }, (_, i) => `f${i}`);

  it('are stored as CSR, far smaller than dense, and decode to exactly the same matrix and scores', async () => {
    for (const precision of ['float32', 'float16'] as const) {
      const model = SasRec.create(sparseCfg, 3, multiHot());
      const { json, weights } = await encodeModel(model, names, precision);
      const entries = json.weightsManifest[0].weights.map((w) => w.name);
      expect(entries).toContain('item_features_columns');
      expect(entries).not.toContain('item_features');
      const paramBytes = [...model.weights.values()].reduce((s, w) => s + w.size, 0) * (precision === 'float32' ? 4 : 2);
      const nnz = json.weightsManifest[0].weights.find((w) => w.name === 'item_features_columns')?.shape[0] ?? 0;
      // uint16 columns; row-normalised multi-hot values are implicit (1 / non-zeros of the row).
      expect(json.weightsManifest[0].weights.slice(-3)).toEqual([
        { name: 'item_features_offsets', shape: [27], dtype: 'int32' },
        { name: 'item_features_columns', shape: [nnz], dtype: 'uint16' },
        { name: 'item_features_values', shape: [nnz], dtype: 'implicit', fill: 'inverseRowCount' },
      ]);
      expect(weights.byteLength).toBe(paramBytes + 27 * 4 + nnz * 2);
      expect(weights.byteLength - paramBytes).toBeLessThan(26 * 40 * 2 / 3);
      const before = tf.memory().numTensors;
      const loaded = decodeModel(validateModelJson(JSON.parse(JSON.stringify(json)), 'model.json'), weights.slice().buffer);
      expect(tf.memory().numTensors).toBe(before + model.weights.size + 1);
      expect(Array.from(await (loaded.features as tf.Tensor2D).data())).toEqual(Array.from(await (model.features as tf.Tensor2D).data()));
      if (precision === 'float32') {
        const seqs = packSequences(histories, sparseCfg.maxLen);
        const [a, b] = [model.scoreLast(seqs), loaded.scoreLast(seqs)];
        expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
        tf.dispose([seqs, a, b]);
      }
      loaded.dispose();
      model.dispose();
    }
  });

  it('damaged sparse parts are named, with no tensors left behind', async () => {
    const model = SasRec.create(sparseCfg, 3, multiHot());
    const { json, weights } = await encodeModel(model, names, 'float32');
    model.dispose();
    const specs = json.weightsManifest[0].weights;
    let offset = 0;
    for (const w of specs) {
      if (w.name === 'item_features_columns') break;
      offset += w.shape.reduce((a, b) => a * b, 1) * 4;
    }
    const bytes = weights.slice();
    new DataView(bytes.buffer).setUint16(offset, 40, true); // first column index (uint16) out of range
    const before = tf.memory().numTensors;
    expect(() => decodeModel(json, bytes.buffer)).toThrow(/Sparse item features: column 40 at row 1 is outside 0\.\.39/);
    const incomplete: ModelJson = { ...json, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs.filter((w) => w.name !== 'item_features_values') }] };
    expect(specs.find((w) => w.name === 'item_features_values')?.dtype).toBe('implicit'); // no bytes to cut
    expect(() => decodeModel(incomplete, weights.slice().buffer)).toThrow(/"item_features_values" missing/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('sparse item features: format version 2 layout and version 1 folders', () => {
  const cfg40 = tinyConfig({ numItems: 25, numFeatures: 40 });
  /** Weighted multi-hot (genre 1/g, title words 1/t, then normalised): values vary within a row, like itemFeatures.ts. */
  const weighted = (): Float32Array => {
    const m = new Float32Array(26 * 40);
    for (let r = 1; r < 26; r++) {
      const raw = [[r % 40, 1], [(r * 7 + 3) % 40, 1 / 3], [(r * 11 + 5) % 40, 1 / 3]] as const;
      const sum = raw.reduce((s, [, v]) => s + v, 0);
      for (const [c, v] of raw) m[r * 40 + c] += v / sum;
    }
    return m;
  };
  const weights = (json: ModelJson) => json.weightsManifest[0].weights;

  it('float32 folders keep the values exactly (float32 here); float16 and uint8 folders store them as float16 within 2^-11', async () => {
    const dense = weighted();
    const model = SasRec.create(cfg40, 3, tf.tensor2d(dense, [26, 40]));
    for (const [precision, dtype] of [['float32', 'float32'], ['float16', 'float16'], ['uint8', 'float16']] as const) {
      const { json, weights: bytes } = await encodeModel(model, [], precision);
      expect(json.formatVersion).toBe(2);
      expect(weights(json).find((w) => w.name === 'item_features_values')?.dtype, precision).toBe(dtype);
      expect(weights(json).find((w) => w.name === 'item_features_columns')?.dtype).toBe('uint16');
      const loaded = decodeModel(validateModelJson(JSON.parse(JSON.stringify(json)), 'model.json'), bytes.slice().buffer);
      const back = (await (loaded.features as tf.Tensor2D).data()) as Float32Array;
      if (precision === 'float32') expect(Buffer.from(back.buffer).equals(Buffer.from(dense.buffer))).toBe(true);
      for (let i = 0; i < dense.length; i++) expect(Math.abs(back[i] - dense[i])).toBeLessThanOrEqual(dense[i] * 2 ** -11);
      loaded.dispose();
    }
    model.dispose();
  });

  it('a version-1 folder (int32 columns, float32 values) still loads, with dense features identical to the matrix it was written from', async () => {
    const dense = weighted();
    const model = SasRec.create(cfg40, 3, tf.tensor2d(dense, [26, 40]));
    const { json, weights: v2 } = await encodeModel(model, [], 'float32');
    // The version-1 writer: the same weights, then int32 offsets, int32 columns, float32 values.
    const offsets = new Int32Array(27);
    const columns: number[] = [];
    const values: number[] = [];
    for (let r = 0; r < 26; r++) {
      for (let c = 0; c < 40; c++) if (dense[r * 40 + c] !== 0) { columns.push(c); values.push(dense[r * 40 + c]); }
      offsets[r + 1] = columns.length;
    }
    const paramBytes = [...model.weights.values()].reduce((s, w) => s + w.size, 0) * 4;
    const v1Bytes = Buffer.concat([v2.subarray(0, paramBytes), new Uint8Array(offsets.buffer), new Uint8Array(Int32Array.from(columns).buffer), new Uint8Array(Float32Array.from(values).buffer)]);
    const v1: ModelJson = {
      ...json, formatVersion: 1,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: [...weights(json).filter((w) => !w.name.startsWith('item_features')),
        { name: 'item_features_offsets', shape: [27], dtype: 'int32' },
        { name: 'item_features_columns', shape: [columns.length], dtype: 'int32' },
        { name: 'item_features_values', shape: [values.length], dtype: 'float32' }] }],
    };
    expect(v2.byteLength).toBe(paramBytes + 27 * 4 + columns.length * (2 + 4)); // uint16 columns, float32 values
    for (const [version, folder, bytes] of [[1, v1, v1Bytes], [2, json, v2]] as const) {
      const read = validateModelJson(JSON.parse(JSON.stringify(folder)), `v${version}/model.json`);
      expect(read.formatVersion).toBe(version);
      const loaded = decodeModel(read, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      const back = (await (loaded.features as tf.Tensor2D).data()) as Float32Array;
      expect(Buffer.from(back.buffer).equals(Buffer.from(dense.buffer)), `version ${version}`).toBe(true);
      expect(Array.from(await scoresOf(loaded))).toEqual(Array.from(await scoresOf(model)));
      loaded.dispose();
    }
    model.dispose();
  });

  it('the shipped version-1 folder (public/models/ml-1m-sasrec) loads unchanged; re-exported as version 2 it gives identical dense features, smaller', async () => {
    const dir = join(__dirname, '../../../public/models/ml-1m-sasrec');
    const raw = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
    expect(raw.formatVersion).toBe(1);
    expect(weights(raw).filter((w) => w.name.startsWith('item_features_')).map((w) => w.dtype)).toEqual(['int32', 'int32', 'float32']);
    const file = readFileSync(join(dir, WEIGHTS_FILE));
    const model = decodeModel(validateModelJson(raw, 'model.json'), file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
    const features = (await (model.features as tf.Tensor2D).data()) as Float32Array;
    expect(features.length).toBe(3417 * 540);
    for (const precision of ['float32', 'float16'] as const) {
      const { json, weights: bytes } = await encodeModel(model, raw.featureNames, precision);
      const sparse = weights(json).filter((w) => w.name.startsWith('item_features_'));
      expect(sparse.map((w) => w.dtype)).toEqual(['int32', 'uint16', precision === 'float32' ? 'float32' : 'float16']);
      const again = decodeModel(validateModelJson(JSON.parse(JSON.stringify(json)), 'model.json'), bytes.slice().buffer);
      const back = (await (again.features as tf.Tensor2D).data()) as Float32Array;
      if (precision === 'float32') {
        expect(Buffer.from(back.buffer).equals(Buffer.from(features.buffer))).toBe(true);
      } else {
        expect(bytes.byteLength).toBeLessThan(file.byteLength); // same float16 weights, smaller CSR
        for (let i = 0; i < features.length; i++) if (Math.abs(back[i] - features[i]) > features[i] * 2 ** -11) expect(back[i], `feature ${i}`).toBe(features[i]);
      }
      again.dispose();
    }
    model.dispose();
  });

  it('an unknown sparse dtype or bytes that do not match the entries: a MODEL_FORMAT error naming it, nothing left behind', async () => {
    const model = SasRec.create(cfg40, 3, tf.tensor2d(weighted(), [26, 40]));
    const { json, weights: bytes } = await encodeModel(model, [], 'float32');
    model.dispose();
    const withColumns = (dtype: string): ModelJson => ({
      ...json, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weights(json).map((w) => (w.name === 'item_features_columns' ? { ...w, dtype } as ModelJson['weightsManifest'][0]['weights'][0] : w)) }],
    });
    const before = tf.memory().numTensors;
    const fails = expectModelFormatError;
    fails(() => decodeModel(withColumns('int8'), bytes.slice().buffer), /"item_features_columns" has dtype "int8"; this LocalRec reads uint16 or int32 there .*update LocalRec/);
    // model.json says int32 columns but weights.bin holds uint16 ones: the byte count gives it away.
    fails(() => decodeModel(withColumns('int32'), bytes.slice().buffer), /Weights are \d+ bytes but model\.json describes \d+\. The weights file is truncated or belongs to another model/);
    fails(() => decodeModel(json, bytes.slice(0, bytes.byteLength - 2).buffer), /Weights are \d+ bytes but model\.json describes \d+/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('model files errors', () => {
  async function encoded(): Promise<{ json: ModelJson; weights: Uint8Array }> {
    const model = SasRec.create(tinyConfig(), 1);
    const out = await encodeModel(model, []);
    model.dispose();
    return out;
  }

  it('truncated weights: says how many bytes were expected', async () => {
    const { json, weights } = await encoded();
    expect(() => decodeModel(json, weights.slice(0, weights.byteLength - 4).buffer)).toThrow(/bytes but model.json describes \d+/);
  });

  it('a missing weight is named, with no tensors left behind', async () => {
    const { json, weights } = await encoded();
    const specs = json.weightsManifest[0].weights;
    const dropped = specs.findIndex((s) => s.name === 'block0/wq');
    let offset = 0;
    for (let i = 0; i < dropped; i++) offset += specs[i].shape.reduce((a, b) => a * b, 1) * 4;
    const size = specs[dropped].shape.reduce((a, b) => a * b, 1) * 4;
    const bytes = new Uint8Array(weights.byteLength - size);
    bytes.set(weights.subarray(0, offset));
    bytes.set(weights.subarray(offset + size), offset);
    const broken: ModelJson = { ...json, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs.filter((_, i) => i !== dropped) }] };
    const before = tf.memory().numTensors;
    let error: unknown;
    try { decodeModel(broken, bytes.buffer); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(LocalRecError);
    expect((error as LocalRecError).code).toBe('MODEL_FORMAT');
    expect((error as Error).message).toMatch(/"block0\/wq" is missing/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a weight of the wrong shape is named with both shapes', async () => {
    const { json, weights } = await encoded();
    const wrong = tinyConfig({ ffnDim: 16 });
    const specs = json.weightsManifest[0].weights.map((s) => (s.name === 'block0/ffn_w1' ? { ...s, shape: [32, 16] } : s));
    // Same byte count (16*32 either way), so only the shape check can catch it.
    const broken: ModelJson = { ...json, config: { ...json.config, ffnDim: wrong.ffnDim }, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }] };
    const before = tf.memory().numTensors;
    expect(() => decodeModel(broken, weights.slice().buffer)).toThrow('Weight "block0/ffn_w1" has shape [32,16] but the config needs [16,16]');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validateModelJson names what is wrong', () => {
    expect(() => validateModelJson(null, 'm.json')).toThrow(/m\.json: not a JSON object/);
    expect(() => validateModelJson({ format: 'tfjs-layers' }, 'm.json')).toThrow(/format is "tfjs-layers"/);
    expect(() => validateModelJson({ format: 'localrec-sasrec', formatVersion: 3 }, 'm.json')).toThrow(/m\.json: model folder format version 3 is not supported \(this LocalRec reads versions 1, 2\)\. The folder was written by a newer LocalRec: update LocalRec/);
    expect(() => validateModelJson({ format: 'localrec-sasrec', formatVersion: '1' }, 'm.json')).toThrow(/format version "1" is not supported.*re-export it/);
    expect(() => validateModelJson({ format: 'localrec-sasrec', formatVersion: 1, config: {} }, 'm.json')).toThrow(/config\.numItems is missing/);
    expect(() => validateModelJson({ format: 'localrec-sasrec', formatVersion: 1, config: { numItems: 3 } }, 'm.json')).toThrow(/weightsManifest is missing/);
    expect(() => validateModelJson({ format: 'localrec-sasrec', formatVersion: 1, config: { numItems: 3, dim: 10, heads: 3 }, weightsManifest: [{}] }, 'm.json')).toThrow(/divisible by heads/);
  });

  it('a model.json without formatVersion (written before the field) loads as version 1; an unknown version is a typed MODEL_FORMAT error', async () => {
    const { json, weights } = await encoded();
    expect(json.formatVersion).toBe(MODEL_FORMAT_VERSION);
    const { formatVersion: _, ...legacy } = json;
    const read = validateModelJson(JSON.parse(JSON.stringify(legacy)), 'legacy/model.json');
    expect(read.formatVersion).toBe(1);
    const m = decodeModel(read, weights.slice().buffer);
    expect(m.config).toEqual(json.config);
    m.dispose();
    let err: unknown;
    try { validateModelJson({ ...json, formatVersion: 7 }, 'future/model.json'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('MODEL_FORMAT');
    expect((err as ModelLoadError).message).toMatch(/future\/model\.json: model folder format version 7 is not supported/);
  });
});
