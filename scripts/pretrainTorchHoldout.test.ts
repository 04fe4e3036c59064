/**
 * `npm run pretrain:torch -- --holdout-users/--holdout-items` (issues 23 and 25): the same people and
 * items as `npm run pretrain` are held out for the same data and seeds, none of them reaches the
 * PyTorch trainer's data (train, validation or test cases), the run and the exported folder record
 * the holdout as Node's do, and --resume / --init-from phases keep it or are refused. Spawns
 * python: fails (never skips) when PyTorch is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeItems, splitItems } from '../src/engine/data/itemSplit';
import { selectUsers, splitUsers } from '../src/engine/data/userSplit';
import { loadDataset } from './lib/loadDataset';
import { leaveOneOut } from './lib/split';
import type { TorchDataMeta } from './lib/torchData';
import { findTorchPython } from './lib/torchPython';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-torch-holdout-'));
const data = join(dir, 'data');
const config = join(dir, 'config.json');
const USERS = 20;
const HOLDOUT = ['--holdout-users', '0.25', '--holdout-seed', '3', '--holdout-items', '0.2', '--holdout-items-seed', '5'];

const run = (script: string, name: string, extra: string[]) => {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', script),
    '--data', data, '--out', join(dir, name, 'out'), '--checkpoint-dir', join(dir, name, 'run'), '--config', config, ...extra], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
};
const torch = (name: string, extra: string[]) => run('pretrainTorch.ts', name, extra);
const json = <T = Record<string, unknown>>(...path: string[]) => JSON.parse(readFileSync(join(dir, ...path), 'utf8')) as T;
const record = (...path: string[]) => {
  const j = json<{ holdout: unknown; holdoutItems: unknown }>(...path);
  return { holdout: j.holdout, holdoutItems: j.holdoutItems };
};

/** The int32 arrays of a prepared torch data folder (trainers/torch/localrec_torch/data.py reads the same). */
function torchArrays(prep: string): Record<string, Int32Array> {
  const meta = JSON.parse(readFileSync(join(prep, 'data.json'), 'utf8')) as TorchDataMeta;
  const bin = readFileSync(join(prep, 'data.bin'));
  const out: Record<string, Int32Array> = {};
  for (const a of meta.arrays) if (a.dtype === 'int32') out[a.name] = new Int32Array(bin.buffer.slice(bin.byteOffset + a.offset, bin.byteOffset + a.offset + 4 * a.length));
  return out;
}
const rows = (a: Record<string, Int32Array>, prefix: string) =>
  Array.from({ length: a[`${prefix}_offsets`].length - 1 }, (_, i) => Array.from(a[`${prefix}_items`].subarray(a[`${prefix}_offsets`][i], a[`${prefix}_offsets`][i + 1])));

beforeAll(() => {
  // 20 people; person u starts with an item of their own (p<u>), then walks 10 shared items in a cycle.
  mkdirSync(data, { recursive: true });
  const lines = ['user,item,timestamp'];
  for (let u = 0; u < USERS; u++) {
    lines.push(`u${u},p${u},999`);
    for (let k = 0; k < 6 + (u % 4); k++) lines.push(`u${u},m${((u + k) % 10) + 1},${1000 + k}`);
  }
  writeFileSync(join(data, 'interactions.csv'), `${lines.join('\n')}\n`);
  const cat = ['id,title,tags'];
  for (let i = 1; i <= 10; i++) cat.push(`m${i},Movie ${i} (${1990 + i}),${['Drama', 'Comedy'][i % 2]}`);
  for (let u = 0; u < USERS; u++) cat.push(`p${u},Own ${u} (2000),Drama`);
  writeFileSync(join(data, 'catalog.csv'), `${cat.join('\n')}\n`);
  writeFileSync(config, JSON.stringify({
    model: { maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0.1, positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier' },
    train: { epochs: 1, batchSize: 4, warmupSteps: 2, validUsers: 100, patience: 10, batches: 'random' },
  }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run pretrain:torch -- --holdout-users/--holdout-items (tiny data)', () => {
  it('finds a python3 with torch (install python3-torch, or set LOCALREC_PYTHON)', () => {
    expect(findTorchPython().python).not.toBe('');
  });

  it('holds out the people and items Node\'s selection picks; none of them is in the prepared data; a --resume with another holdout is refused, the same one continues', () => {
    const stopped = torch('torch', [...HOLDOUT, '--max-steps', '2']);
    expect(stopped.stderr).toMatch(/holding out 5 of 20 users \(seed 3\)/);
    expect(stopped.stderr).toMatch(/holding out 6 of 30 items \(seed 5\)/);
    expect(stopped.code).toBe(0);

    // What `npm run pretrain` trains on (scripts/lib/runPretraining.ts), from the src selection functions.
    const { dataset } = loadDataset(data);
    expect(dataset.sequences).toHaveLength(USERS);
    const people = splitUsers(USERS, 0.25, 3);
    const items = splitItems(dataset.numItems, 0.2, 5);
    const expected = leaveOneOut(removeItems(selectUsers(dataset, people.trainUsers), items));
    const prep = join(dir, 'torch', 'run', 'data');
    const a = torchArrays(prep);
    expect(rows(a, 'train')).toEqual(expected.train.map((s) => Array.from(s)));
    expect(rows(a, 'test')).toEqual(expected.test.map((c) => Array.from(c.history)));
    expect(Array.from(a.test_targets)).toEqual(expected.test.map((c) => c.target));
    expect(Array.from(a.valid_targets)).toEqual(expected.valid.map((c) => c.target));

    // Each person's own item marks them (user u<n> has p<n>; people are indexed in id order): a held-out person's is nowhere in the data the trainer reads.
    const own = (u: number) => dataset.itemIds.indexOf(`p${dataset.userIds[u].slice(1)}`);
    const everything = new Set([...a.train_items, ...a.valid_items, ...a.valid_targets, ...a.test_items, ...a.test_targets]);
    expect(people.heldOutUsers).toHaveLength(5);
    for (const u of people.heldOutUsers) expect(everything.has(own(u)), `held-out person ${dataset.userIds[u]}`).toBe(false);
    for (const u of people.trainUsers) if (!items.includes(own(u))) expect(everything.has(own(u)), `person ${dataset.userIds[u]}`).toBe(true);
    for (const i of items) expect(everything.has(i), `held-out item ${i}`).toBe(false);
    expect(record('torch', 'run', 'run.json')).toEqual({ holdout: { share: 0.25, seed: 3 }, holdoutItems: { share: 0.2, seed: 5, items } });

    const before = readFileSync(join(prep, 'data.bin'));
    for (const other of [[], ['--holdout-users', '0.25', '--holdout-seed', '4', '--holdout-items', '0.2', '--holdout-items-seed', '5'], HOLDOUT.slice(0, 4)]) {
      const r = torch('torch', [...other, '--resume']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/the checkpoint in .*torch\/run held out other people or items \(.* there, .* here\); resume with the same --holdout-users/);
      expect(readFileSync(join(prep, 'data.bin')).equals(before)).toBe(true);
    }
    const resumed = torch('torch', [...HOLDOUT, '--resume']);
    expect(resumed.stderr).toMatch(/resumed at epoch \d+ batch 2/);
    expect(resumed.code).toBe(0);
    expect(readFileSync(join(prep, 'data.bin')).equals(before)).toBe(true);
    const training = json<{ torchTest: Record<string, number>; test: Record<string, number> }>('torch', 'out', 'training.json');
    expect(record('torch', 'out', 'training.json')).toEqual(record('torch', 'run', 'run.json'));
    expect(Math.abs(training.torchTest['NDCG@10'] - training.test['NDCG@10'])).toBeLessThanOrEqual(0.002);
    expect(json<{ users: number }>('torch', 'out', 'metrics.json').users).toBe(expected.test.length);
    expect(readFileSync(join(dir, 'torch', 'out', 'MODEL_CARD.md'), 'utf8'))
      .toMatch(/Held out of pretraining: 25% of the people \(`--holdout-users 0.25 --holdout-seed 3`.*; 6 items \(`--holdout-items 0.2 --holdout-items-seed 5`\)/);
  });

  it('records the holdout as `npm run pretrain` does: the same run.json and training.json fields, the same test cases, the same card line', () => {
    const node = run('pretrain.ts', 'node', HOLDOUT);
    expect(node.code, node.stderr).toBe(0);
    expect(record('torch', 'run', 'run.json')).toEqual(record('node', 'run', 'run.json'));
    expect(record('torch', 'out', 'training.json')).toEqual(record('node', 'out', 'training.json'));
    expect(json<{ users: number }>('torch', 'out', 'metrics.json').users).toBe(json<{ users: number }>('node', 'out', 'metrics.json').users);
    const line = (name: string) => readFileSync(join(dir, name, 'out', 'MODEL_CARD.md'), 'utf8').split('\n').find((l) => l.startsWith('- Held out of pretraining'));
    expect(line('torch')).toBeDefined();
    expect(line('torch')).toBe(line('node'));
  });

  it('an --init-from phase keeps the held-out people; one that holds out others, or none, is refused before anything is written', () => {
    const from = join(dir, 'torch', 'run', 'checkpoint');
    const phase2 = torch('phase2', [...HOLDOUT, '--init-from', from, '--max-steps', '1']);
    expect(phase2.stderr).toMatch(/starting from the weights in .*torch\/run\/checkpoint with its Adam state/);
    expect(phase2.code).toBe(0);
    expect(record('phase2', 'run', 'run.json')).toEqual(record('torch', 'run', 'run.json'));
    for (const [name, extra, source] of [
      ['none', [], from], ['seed', ['--holdout-users', '0.25', '--holdout-seed', '8', '--holdout-items', '0.2', '--holdout-items-seed', '5'], from],
      ['items', HOLDOUT.slice(0, 4), from], ['fromnode', ['--holdout-users', '0.3'], join(dir, 'node', 'run', 'best')], ['fromfolder', [], join(dir, 'node', 'out')],
    ] as [string, string[], string][]) {
      const r = torch(name, [...extra, '--init-from', source]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--init-from .* was trained with other held-out people or items \(.*(run|training)\.json: .* there, .* here\)\. A later phase must hold out the same people/);
      expect(existsSync(join(dir, name, 'run')), name).toBe(false);
      expect(existsSync(join(dir, name, 'out')), name).toBe(false);
    }
  });
});
