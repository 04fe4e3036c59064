/**
 * Parity of the PyTorch model (trainers/torch) with the tfjs model: the same random weights,
 * saved as a LocalRec model folder, give the same scores, losses and gradients in both, for every
 * config option. Fails (never skips) when PyTorch is missing: `.ci/run` installs python3-torch.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type SasRecConfig } from '../../src/engine/model/config';
import { gatherRows } from '../../src/engine/model/gatherRows';
import { packSequences, SasRec } from '../../src/engine/model/sasrec';
import { useBackend } from '../../src/engine/testing/backend';
import { maxAbsDiff, randomSequences } from '../../src/engine/testing/fixtures';
import { nextItemBatch } from '../../src/engine/train/batches';
import { computeLoss, type LossKind } from '../../src/engine/train/losses';
import { Rng } from '../../src/engine/train/rng';
import { MODEL_FORMAT_VERSION } from '../../src/engine/model/formatVersion';
import { encodeModel, WEIGHTS_FILE, type ModelJson } from '../../src/engine/model/modelFormat';
import { UINT16_MAX_FEATURES } from '../../src/engine/model/sparseFeatures';
import { loadModelFiles, saveModelFiles } from '../../scripts/lib/modelFiles';
import { findTorchPython } from '../../scripts/lib/torchPython';

const TOLERANCE = 1e-4;
const dir = mkdtempSync(join(tmpdir(), 'localrec-torch-parity-'));
const PARITY = join(__dirname, 'parity.py');

interface Response {
  scores: number[][];
  losses: Record<LossKind, number>;
  grads: Record<LossKind, Record<string, number[]>>;
}

/** Every option the shipped configs use, and the defaults older models have. */
const CASES: { name: string; config: Partial<SasRecConfig>; features: 'none' | 'sparse' | 'dense' }[] = [
  { name: 'defaults: positions fromEnd, preLN, one head, no features', config: {}, features: 'none' },
  { name: 'shipped: fromStart, sasrec block, xavier attention, sparse features (title buckets)', config: { positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier', initStd: 0.02 }, features: 'sparse' },
  { name: 'fromStart, preLN, two heads, dense features', config: { positions: 'fromStart', heads: 2 }, features: 'dense' },
  { name: 'fromEnd, sasrec block, two heads, three blocks, sparse features', config: { block: 'sasrec', heads: 2, blocks: 3, idDropout: 0.2 }, features: 'sparse' },
];

/** Weights far from their small init, so differences in any op would show. */
function randomizeWeights(model: SasRec, seed: number): void {
  let s = seed;
  for (const [name, v] of model.weights) {
    const gain = name.endsWith('_g') ? 1 : 0;
    tf.tidy(() => v.assign(tf.add(tf.randomNormal(v.shape, 0, 0.4, 'float32', s++), gain)));
  }
}

/** Multi-hot rows normalised to sum 1 (sparse, as the exporter's CSR branch stores) or dense positives. */
function featureMatrix(kind: 'sparse' | 'dense', rows: number, cols: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * cols);
  for (let r = 1; r < rows; r++) {
    if (kind === 'dense') { for (let c = 0; c < cols; c++) data[r * cols + c] = rng.next(); continue; }
    const hits = [rng.int(0, cols), rng.int(0, cols)];
    for (const c of hits) data[r * cols + c] = 1 / new Set(hits).size;
  }
  return tf.tensor2d(data, [rows, cols]);
}

function runPython(python: string, request: Record<string, unknown>): Response {
  const reqFile = join(dir, 'request.json');
  const resFile = join(dir, 'response.json');
  writeFileSync(reqFile, JSON.stringify(request));
  const r = spawnSync(python, [PARITY, reqFile, resFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`parity.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(readFileSync(resFile, 'utf8')) as Response;
}

const rows2d = (flat: Int32Array, batch: number, len: number): number[][] =>
  Array.from({ length: batch }, (_, r) => Array.from(flat.subarray(r * len, (r + 1) * len)));

let python = '';
beforeAll(async () => {
  await useBackend('cpu');
  python = findTorchPython().python;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PyTorch trainer model = tfjs model (float32, max abs difference <= 1e-4)', () => {
  it('finds a python3 with torch (install python3-torch, or set LOCALREC_PYTHON)', () => {
    expect(python).not.toBe('');
  });

  for (const [k, c] of CASES.entries()) {
    it(c.name, async () => {
      const numFeatures = c.features === 'none' ? 0 : 12;
      const cfg = resolveConfig({ numItems: 40, maxLen: 12, dim: 16, blocks: 2, heads: 1, ffnDim: 24, dropout: 0.3, ...c.config, numFeatures });
      const features = c.features === 'none' ? null : featureMatrix(c.features, cfg.numItems + 1, numFeatures, 5 + k);
      const model = SasRec.create(cfg, 3 + k, features);
      randomizeWeights(model, 100 * (k + 1));
      const folder = join(dir, `model-${k}`);
      await saveModelFiles(folder, model, Array.from({ length: numFeatures }, (_, i) => `genre:g${i}`), 'float32');

      // Histories shorter and longer than maxLen (older items dropped), with padding.
      const histories = randomSequences({ numItems: cfg.numItems, numUsers: 7, minLen: 1, maxLen: 18, seed: 9 + k });
      const seqs = packSequences(histories, cfg.maxLen);
      const batch = nextItemBatch(randomSequences({ numItems: cfg.numItems, numUsers: 5, minLen: 2, maxLen: 16, seed: 30 + k }), cfg.maxLen);
      const rng = new Rng(77 + k);
      const sampledNegatives = Int32Array.from({ length: 9 }, () => rng.int(1, cfg.numItems + 1));
      sampledNegatives[0] = batch.targets[0]; // a negative equal to a target must be masked in both
      const bceNegatives = Int32Array.from(batch.targets, () => rng.int(1, cfg.numItems + 1));
      const logQ = -Math.log(cfg.numItems);

      const res = runPython(python, {
        folder, rewrite: join(dir, `rewritten-${k}`), seqs: rows2d((await seqs.data()) as Int32Array, seqs.shape[0], seqs.shape[1]),
        loss: { seqs: rows2d(batch.seqs, batch.batch, batch.len), positions: [...batch.positions], targets: [...batch.targets], sampledNegatives: [...sampledNegatives], bceNegatives: [...bceNegatives], logQ },
      });

      const scoresT = model.scoreLast(seqs);
      const scores = (await scoresT.data()) as Float32Array;
      const vocab = cfg.numItems + 1;
      // Column 0 is the padding item (-1e9): compare the real items.
      const realCols = (rows: ArrayLike<number>[] | Float32Array) => {
        const out: number[] = [];
        for (let r = 0; r < histories.length; r++) for (let j = 1; j < vocab; j++) out.push(rows instanceof Float32Array ? rows[r * vocab + j] : rows[r][j]);
        return out;
      };
      const tsScores = realCols(scores);
      expect(Math.max(...tsScores.map(Math.abs)), 'scores are far from zero').toBeGreaterThan(1);
      expect(maxAbsDiff(tsScores, realCols(res.scores)), 'scores').toBeLessThanOrEqual(TOLERANCE);
      for (let r = 0; r < histories.length; r++) expect(res.scores[r][0]).toBeLessThan(-1e8);

      for (const kind of ['ce', 'sampled', 'bce'] as LossKind[]) {
        const names = [...model.weights.keys()];
        const vars = names.map((n) => model.w(n));
        const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
          const table = model.itemTable({ training: false });
          const h = model.encode(table, tf.tensor2d(batch.seqs, [batch.batch, batch.len], 'int32'), { training: false });
          const hidden = gatherRows(tf.reshape(h, [-1, cfg.dim]) as tf.Tensor2D, tf.tensor1d(batch.positions, 'int32'));
          return computeLoss({ kind, numNegatives: sampledNegatives.length }, {
            hidden, table, targets: tf.tensor1d(batch.targets, 'int32'),
            negatives: tf.tensor1d(kind === 'sampled' ? sampledNegatives : bceNegatives, 'int32'),
            logQ: tf.fill([vocab], logQ) as tf.Tensor1D,
          });
        }), vars);
        const loss = (await value.data())[0];
        expect(Math.abs(loss - res.losses[kind]), `${kind} loss ${loss} vs ${res.losses[kind]}`).toBeLessThanOrEqual(TOLERANCE);
        for (const [i, name] of names.entries()) {
          const g = (await grads[vars[i].name].data()) as Float32Array;
          const pg = res.grads[kind][name];
          expect(pg, `${kind}: torch has a gradient for ${name}`).toBeDefined();
          expect(maxAbsDiff(g, pg), `${kind} gradient of ${name}`).toBeLessThanOrEqual(TOLERANCE);
        }
        tf.dispose([value, ...Object.values(grads)]);
      }
      // The trainer's writer (folder.py) gives back exactly these weights and features.
      const back = loadModelFiles(join(dir, `rewritten-${k}`));
      expect([...back.model.weights.keys()]).toEqual([...model.weights.keys()]);
      for (const [name, v] of model.weights) expect(maxAbsDiff(await v.data(), await back.model.w(name).data()), name).toBe(0);
      expect(back.model.features === null).toBe(features === null);
      if (features && back.model.features) expect(maxAbsDiff(await features.data(), await back.model.features.data())).toBe(0);
      back.model.dispose();
      tf.dispose([scoresT, seqs]);
      model.dispose();
    });
  }
});

/** Feature matrices that take each storage rule of src/engine/model/sparseFeatures.ts. */
const LAYOUTS: { name: string; cols: number; value: (r: number, k: number, n: number) => number; entries: Record<string, unknown>[] | 'dense' }[] = [
  { name: 'all 1: uint16 columns, values implicit "one"', cols: 30, value: () => 1, entries: [{ dtype: 'int32' }, { dtype: 'uint16' }, { dtype: 'implicit', fill: 'one' }] },
  { name: 'row-normalised: values implicit "inverseRowCount"', cols: 30, value: (_r, _k, n) => 1 / n, entries: [{ dtype: 'int32' }, { dtype: 'uint16' }, { dtype: 'implicit', fill: 'inverseRowCount' }] },
  { name: 'exact in float16: float16 values', cols: 30, value: (r, k) => ((r + k) % 8 + 1) / 8, entries: [{ dtype: 'int32' }, { dtype: 'uint16' }, { dtype: 'float16' }] },
  { name: 'weighted (1/3 + ...): float32 values', cols: 30, value: (r, k) => 1 / 3 + (r % 5) / 7 + k, entries: [{ dtype: 'int32' }, { dtype: 'uint16' }, { dtype: 'float32' }] },
  { name: `${UINT16_MAX_FEATURES + 1} features: int32 columns`, cols: UINT16_MAX_FEATURES + 1, value: (_r, _k, n) => 1 / n, entries: [{ dtype: 'int32' }, { dtype: 'int32' }, { dtype: 'implicit', fill: 'inverseRowCount' }] },
  { name: 'dense positives: dense item_features', cols: 6, value: (r, k) => 0.1 + r + k, entries: 'dense' },
];

function layoutFeatures(rows: number, cols: number, value: (r: number, k: number, n: number) => number): tf.Tensor2D {
  const m = new Float32Array(rows * cols);
  for (let r = 1; r < rows; r++) {
    const hot = cols < 10 ? Array.from({ length: cols }, (_, c) => c) : [...new Set([(r * 7) % cols, (r * 13 + 5) % cols, ...(r % 3 === 0 ? [cols - 1] : [])])];
    hot.forEach((c, k) => { m[r * cols + c] = value(r, k, hot.length); });
  }
  return tf.tensor2d(m, [rows, cols]);
}

const specsOf = (folder: string) => (JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as ModelJson);

describe('the PyTorch writer (folder.py) writes the same model files as the TypeScript exporter (float32, format version 2)', () => {
  for (const [k, l] of LAYOUTS.entries()) {
    it(l.name, async () => {
      const cfg = resolveConfig({ numItems: 8, maxLen: 4, dim: 4, blocks: 1, heads: 1, ffnDim: 4, dropout: 0, numFeatures: l.cols });
      const model = SasRec.create(cfg, 40 + k, layoutFeatures(cfg.numItems + 1, l.cols, l.value));
      const folder = join(dir, `layout-${k}`);
      const rewrite = join(dir, `layout-${k}-torch`);
      await saveModelFiles(folder, model, Array.from({ length: l.cols }, (_, i) => `genre:g${i}`), 'float32');
      runPython(python, { folder, rewrite, rewriteOnly: true });
      const ts = specsOf(folder);
      const torch = specsOf(rewrite);
      expect(torch.formatVersion).toBe(MODEL_FORMAT_VERSION);
      expect(ts.formatVersion).toBe(MODEL_FORMAT_VERSION);
      const features = ts.weightsManifest[0].weights.filter((w) => w.name.startsWith('item_features'));
      if (l.entries === 'dense') expect(features.map((w) => w.name)).toEqual(['item_features']);
      else expect(features).toEqual(l.entries.map((e, i) => expect.objectContaining({ name: ['item_features_offsets', 'item_features_columns', 'item_features_values'][i], ...e })));
      expect(torch.weightsManifest).toEqual(ts.weightsManifest);
      expect(readFileSync(join(rewrite, WEIGHTS_FILE)).equals(readFileSync(join(folder, WEIGHTS_FILE))), 'weights.bin byte for byte').toBe(true);
      const back = loadModelFiles(rewrite);
      expect(Buffer.from(((await back.model.features?.data()) as Float32Array).buffer).equals(Buffer.from(((await model.features?.data()) as Float32Array).buffer))).toBe(true);
      back.model.dispose();
      model.dispose();
    });
  }

  it('reads the shipped version-1 folder (int32 columns, float32 values) and writes it as the TypeScript exporter does', async () => {
    const shipped = join(__dirname, '../../public/models/ml-1m-sasrec');
    expect(specsOf(shipped).formatVersion).toBe(1);
    const rewrite = join(dir, 'shipped-torch');
    runPython(python, { folder: shipped, rewrite, rewriteOnly: true });
    const { model, featureNames } = loadModelFiles(shipped);
    const { json, weights } = await encodeModel(model, featureNames, 'float32');
    expect(specsOf(rewrite).weightsManifest).toEqual(JSON.parse(JSON.stringify(json.weightsManifest)));
    expect(readFileSync(join(rewrite, WEIGHTS_FILE)).equals(Buffer.from(weights)), 'weights.bin byte for byte').toBe(true);
    model.dispose();
  });
});
