/**
 * `npm run pretrain:torch -- --init-from` (issue 25): a second phase starts from the first phase's
 * weights (and Adam state), records where it came from, and the export describes both phases; a
 * model folder written by TypeScript loads into the PyTorch model with the same scores; a folder of
 * another shape or no folder at all is refused before anything is written. Fails (never skips) when
 * PyTorch is missing, as parity.test.ts does.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/model/config';
import { packSequences, SasRec } from '../../src/engine/model/sasrec';
import type { WeightPrecision } from '../../src/engine/model/modelFormat';
import { useBackend } from '../../src/engine/testing/backend';
import { maxAbsDiff, randomSequences } from '../../src/engine/testing/fixtures';
import { loadModelFiles, saveModelFiles } from '../../scripts/lib/modelFiles';
import { findTorchPython } from '../../scripts/lib/torchPython';

const root = join(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-torch-init-from-'));
const data = join(dir, 'data');
const MODEL = { maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0 };
const TRAIN = { epochs: 1, batchSize: 4, warmupSteps: 0, validUsers: 100, patience: 10 };

interface Result { finished: boolean; firstStepLoss: number; lastStepLoss: number; history: { lr: number }[] }
const result = (name: string) => JSON.parse(readFileSync(join(dir, name, 'run', 'result.json'), 'utf8')) as Result;
const json = <T>(...path: string[]) => JSON.parse(readFileSync(join(dir, ...path), 'utf8')) as T;

function writeConfig(name: string, model: object, train: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ model: { ...MODEL, ...model }, train: { ...TRAIN, ...train } }));
  return file;
}

function pretrain(name: string, config: string, extra: string[] = [], dataDir = data) {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', 'pretrainTorch.ts'),
    '--data', dataDir, '--out', join(dir, name, 'out'), '--checkpoint-dir', join(dir, name, 'run'), '--config', config, ...extra], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

/** People walking `items` items in a cycle (item i is followed by i+1), with genres and years. */
function writeData(folder: string, items: number): void {
  mkdirSync(folder, { recursive: true });
  const lines = ['user,item,timestamp'];
  for (let u = 0; u < 48; u++) for (let k = 0; k < 8 + (u % 4); k++) lines.push(`u${u},m${((u + k) % items) + 1},${1000 + k}`);
  writeFileSync(join(folder, 'interactions.csv'), `${lines.join('\n')}\n`);
  const cat = ['id,title,tags'];
  for (let i = 1; i <= items; i++) cat.push(`m${i},Movie ${i} (${1990 + i}),${['Drama', 'Comedy'][i % 2]}`);
  writeFileSync(join(folder, 'catalog.csv'), `${cat.join('\n')}\n`);
}

let python = '';
let phase1: Result;
beforeAll(async () => {
  await useBackend('cpu');
  python = findTorchPython().python;
  writeData(data, 10);
  // Phase 1: one epoch at a constant rate (12 steps), far enough from a fresh model's loss.
  const r = pretrain('phase1', writeConfig('phase1', {}, { learningRate: 0.02 }));
  if (r.code !== 0) throw new Error(`phase 1 failed: ${r.stderr}`);
  phase1 = result('phase1');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run pretrain:torch -- --init-from (PyTorch trainer, tiny data)', () => {
  it('finds a python3 with torch (install python3-torch, or set LOCALREC_PYTHON)', () => {
    expect(python).not.toBe('');
    // Learning happened in phase 1, so "close to phase 1's last loss" differs from "a fresh model".
    expect(phase1.firstStepLoss - phase1.lastStepLoss).toBeGreaterThan(0.8);
  });

  it('phase 2 from a torch checkpoint continues its weights and Adam state, with its own linear decay to 0; the export describes both phases', () => {
    const decay = writeConfig('decay', {}, { learningRate: 0.005, schedule: 'linear', seed: 43 });
    const r = pretrain('phase2', decay, ['--init-from', join(dir, 'phase1', 'run', 'checkpoint')]);
    expect(r.stderr).toMatch(/starting from the weights in .*phase1\/run\/checkpoint with its Adam state \(step 12\)/);
    expect(r.code).toBe(0);
    const phase2 = result('phase2');
    // The first step of phase 2 starts where phase 1 ended, not from a fresh model.
    expect(Math.abs(phase2.firstStepLoss - phase1.lastStepLoss)).toBeLessThan(0.25 * (phase1.firstStepLoss - phase1.lastStepLoss));
    // The new phase's schedule counts its own steps from 0: 0.005 x (1 - 11/12) at its 12th and last step.
    expect(phase2.history.map((h) => h.lr)).toEqual([expect.closeTo(0.005 / 12, 12)]);
    const run = json<{ trainer: string; initFrom: { dir: string; optimizer: boolean; epochs: number; run: string } }>('phase2', 'run', 'run.json');
    expect(run.trainer).toBe('pytorch');
    expect(run.initFrom).toMatchObject({ optimizer: true, epochs: 1 });
    expect(run.initFrom.run).toMatch(/phase1\/run$/);
    const training = json<{ initFrom: unknown; continuedFrom: { epochs: number; optimizer: boolean; history: unknown[]; trainSeconds: number; train: { learningRate: number } } }>('phase2', 'out', 'training.json');
    expect(training.initFrom).toEqual(run.initFrom);
    expect(training.continuedFrom).toMatchObject({ epochs: 1, optimizer: true, train: { learningRate: 0.02 } });
    expect(training.continuedFrom.history).toHaveLength(1);
    expect(training.continuedFrom.trainSeconds).toBeGreaterThanOrEqual(0);
    const card = readFileSync(join(dir, 'phase2', 'out', 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/Two phases: epochs 1–1 .* then epochs 2–2 continued from its checkpoint after epoch 1 .*weights and Adam state, `npm run pretrain:torch -- --init-from`.* learning rate falling linearly from 0.005 to 0 over 1 epochs/);
    expect(card).toMatch(/Epochs run: 1 \+ 1 = 2/);
  });

  it('phase 2 from an exported model folder (float16, written by the TypeScript exporter) starts from its weights with a fresh Adam state', () => {
    const decay = writeConfig('decay', {}, { learningRate: 0.005, schedule: 'linear', seed: 43 });
    const r = pretrain('from-folder', decay, ['--init-from', join(dir, 'phase1', 'out'), '--max-steps', '1']);
    expect(r.stderr).toMatch(/starting from the weights in .*phase1\/out with a fresh Adam state \(the folder has none\)/);
    expect(r.code).toBe(0);
    expect(Math.abs(result('from-folder').firstStepLoss - phase1.lastStepLoss)).toBeLessThan(0.25 * (phase1.firstStepLoss - phase1.lastStepLoss));
    expect(json<{ initFrom: unknown }>('from-folder', 'run', 'run.json').initFrom).toMatchObject({ optimizer: false, epochs: null, run: null });
  });

  it('a TypeScript-written model folder (float32, float16, uint8; the shipped version-1 folder) gives the TypeScript scores in PyTorch (<= 1e-4) before any step', async () => {
    const cfg = resolveConfig({ numItems: 30, maxLen: 10, dim: 16, blocks: 2, heads: 2, ffnDim: 24, dropout: 0.2, numFeatures: 6, positions: 'fromStart', block: 'sasrec' });
    const features = tf.tensor2d(Array.from({ length: (cfg.numItems + 1) * 6 }, (_, k) => (k >= 6 && k % 7 === 0 ? 1 : 0)), [cfg.numItems + 1, 6]);
    const model = SasRec.create(cfg, 5, features);
    let s = 1;
    for (const [name, v] of model.weights) tf.tidy(() => v.assign(tf.add(tf.randomNormal(v.shape, 0, 0.3, 'float32', s++), name.endsWith('_g') ? 1 : 0)));
    const folders: string[] = [];
    for (const p of ['float32', 'float16', 'uint8'] as WeightPrecision[]) {
      folders.push(join(dir, `ts-${p}`));
      await saveModelFiles(folders[folders.length - 1], model, Array.from({ length: 6 }, (_, i) => `genre:g${i}`), p);
    }
    folders.push(join(root, 'public/models/ml-1m-sasrec'));
    model.dispose();
    for (const folder of folders) {
      // The TypeScript loader reads the folder (dequantized as tfjs does); PyTorch starts a fresh model from it.
      const ts = loadModelFiles(folder).model;
      const histories = randomSequences({ numItems: ts.config.numItems, numUsers: 5, minLen: 1, maxLen: ts.config.maxLen + 4, seed: 3 });
      const seqs = packSequences(histories, Math.min(ts.config.maxLen, 14));
      const req = join(dir, 'request.json');
      const res = join(dir, 'response.json');
      writeFileSync(req, JSON.stringify({ folder, initFrom: true, seqs: await seqs.array() }));
      const r = spawnSync(python, [join(__dirname, 'parity.py'), req, res], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const torchScores = (JSON.parse(readFileSync(res, 'utf8')) as { scores: number[][] }).scores.map((row) => row.slice(1));
      const scores = ts.scoreLast(seqs);
      const tsScores = ((await scores.array()) as number[][]).map((row) => row.slice(1));
      expect(maxAbsDiff(tsScores.flat(), torchScores.flat()), folder).toBeLessThanOrEqual(1e-4);
      expect(Math.max(...tsScores.flat().map(Math.abs)), 'scores are far from zero').toBeGreaterThan(0.5);
      tf.dispose([scores, seqs]);
      ts.dispose();
    }
  });

  it('refuses a folder of another shape (naming the fields) or without a model, before anything is written', () => {
    const from = join(dir, 'phase1', 'run', 'checkpoint');
    const wide = pretrain('wide', writeConfig('wide', { dim: 16, ffnDim: 16 }, {}), ['--init-from', from]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toMatch(/--init-from .*phase1\/run\/checkpoint holds a model of another shape: dim is 8 there, 16 in this run; ffnDim is 8 there, 16 in this run\. Use the "model" block/);
    expect(existsSync(join(dir, 'wide', 'out'))).toBe(false);
    expect(existsSync(join(dir, 'wide', 'run'))).toBe(false);
    const twelve = join(dir, 'data12');
    writeData(twelve, 12);
    const items = pretrain('items', writeConfig('items', {}, {}), ['--init-from', join(dir, 'phase1', 'out')], twelve);
    expect(items.code).toBe(2);
    expect(items.stderr).toMatch(/holds a model of another shape: numItems \(items in the data\) is 10 there, 12 in this run[.;].*same --data/);
    expect(existsSync(join(dir, 'items', 'out'))).toBe(false);
    const none = pretrain('none', writeConfig('none', {}, {}), ['--init-from', join(dir, 'nowhere')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--init-from .*nowhere has no model\.json and config\.json/);
    expect(existsSync(join(dir, 'none', 'out'))).toBe(false);
  });
});
