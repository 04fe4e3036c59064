import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/engine/model/config';
import { SasRec } from '../src/engine/model/sasrec';
import { saveModelFiles } from './lib/modelFiles';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-cold-'));
const NUM_ITEMS = 30;

function run(script: string, args: string[]) {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Metrics { 'NDCG@10': number; 'HR@10': number }

beforeAll(async () => {
  // 24 users, 6-12 items each, walking the items in a cycle; every one of the 30 items appears.
  const lines = ['user,item,timestamp'];
  for (let u = 0; u < 24; u++) {
    const len = 6 + (u % 7);
    for (let k = 0; k < len; k++) lines.push(`u${u},m${((u + k) % NUM_ITEMS) + 1},2024-01-${String(k + 1).padStart(2, '0')}`);
  }
  writeFileSync(join(dir, 'interactions.csv'), `${lines.join('\n')}\n`);
  const genres = ['Drama', 'Comedy', 'Action', 'Horror'];
  const cat = ['id,title,tags'];
  for (let i = 1; i <= NUM_ITEMS; i++) cat.push(`m${i},"Movie ${i} (${1990 + i})",${genres[i % 4]}`);
  writeFileSync(join(dir, 'catalog.csv'), `${cat.join('\n')}\n`);
  await tf.setBackend('cpu');
  const model = SasRec.create(resolveConfig({ numItems: NUM_ITEMS, maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0 }), 5);
  await saveModelFiles(join(dir, 'model'), model, [], 'float32');
  await saveModelFiles(join(dir, 'ckpt', 'best'), model, [], 'float32');
  model.dispose();
  writeFileSync(join(dir, 'ckpt', 'run.json'), JSON.stringify({ holdout: { share: 0.25, seed: 7 }, holdoutItems: { share: 0.25, seed: 11, items: [2, 5, 9] } }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run eval:discovery (end to end on a tiny dataset)', () => {
  it('writes the JSON shape, the Markdown table and the trade-off SVG', () => {
    const json = join(dir, 'disc.json');
    const svg = join(dir, 'disc.svg');
    const md = join(dir, 'disc.md');
    const r = run('evalDiscovery.ts', ['--model', join(dir, 'model'), '--data', dir, '--json', json, '--svg', svg, '--md', md]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const out = JSON.parse(readFileSync(json, 'utf8')) as { settings: { setting: number; 'NDCG@10': number; novelty: number; ild: number; 'coverage@10': number }[]; defaultSetting: number; users: number };
    expect(out.users).toBe(24);
    expect(out.settings.map((s) => s.setting)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    for (const s of out.settings) {
      expect(s['NDCG@10']).toBeGreaterThanOrEqual(0);
      expect(s['NDCG@10']).toBeLessThanOrEqual(1);
      expect(s.novelty).toBeGreaterThan(0);
      expect(s.ild).toBeGreaterThan(0);
      expect(s['coverage@10']).toBeGreaterThan(0);
      expect(s['coverage@10']).toBeLessThanOrEqual(1);
    }
    // 24 lists of 10 from 30 items
    expect(out.settings[0]['coverage@10']).toBeGreaterThan(10 / 30);
    expect([0, 0.25, 0.5, 0.75, 1]).toContain(out.defaultSetting);
    const image = readFileSync(svg, 'utf8');
    expect(image.startsWith('<svg')).toBe(true);
    expect((image.match(/<circle /g) ?? []).length).toBe(2 * 5 + 2); // 5 points per panel + default rings
    expect(readFileSync(md, 'utf8')).toMatch(/^\| discover \| NDCG@10 \|/);
  }, 60_000);

  it('fails with a clear message when the model does not match the data', () => {
    const r = run('evalDiscovery.ts', ['--model', join(dir, 'nope'), '--data', dir]);
    expect(r.code).not.toBe(0);
  }, 30_000);
});

describe('npm run eval:coldstart (end to end on a tiny dataset)', () => {
  it('user and item cold start with the hold-out settings from run.json', () => {
    const json = join(dir, 'cold.json');
    const r = run('evalColdStart.ts', ['--model', join(dir, 'ckpt', 'best'), '--data', dir, '--json', json]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/User cold start \(6 users held out of pretraining\)/);
    const out = JSON.parse(readFileSync(json, 'utf8')) as { user: Record<string, { model: Metrics; popular: Metrics; users: number }>; item: { model: Metrics; popular: Metrics; random: Metrics; heldOutItems: number; cases: number } };
    for (const k of ['k1', 'k3', 'k5', 'k10']) {
      for (const who of ['model', 'popular'] as const) {
        expect(out.user[k][who]['HR@10']).toBeGreaterThanOrEqual(0);
        expect(out.user[k][who]['HR@10']).toBeLessThanOrEqual(1);
        expect(out.user[k][who]['NDCG@10']).toBeLessThanOrEqual(out.user[k][who]['HR@10']);
      }
    }
    expect(out.user.k1.users).toBe(6);
    expect(out.user.k10.users).toBeLessThan(6);
    expect(out.item.heldOutItems).toBe(3);
    // Popularity knows nothing about held-out items: no training users, so they rank after the
    // 27 known items (minus at most 11 in the history): never in the top 10.
    expect(out.item.popular['HR@10']).toBe(0);
    expect(out.item.model['HR@10']).toBeGreaterThanOrEqual(0);
    expect(out.item.random['HR@10']).toBeLessThanOrEqual(1);
    expect(out.item.cases).toBe(9); // users with a held-out item after a known one
  }, 60_000);

  it('a model without hold-outs: users are flagged as seen in pretraining, item cold start is skipped', () => {
    const json = join(dir, 'cold2.json');
    const r = run('evalColdStart.ts', ['--model', join(dir, 'model'), '--data', dir, '--json', json]);
    expect(r.code).toBe(0);
    const out = JSON.parse(readFileSync(json, 'utf8')) as { user: { seenInPretraining: boolean }; item: null };
    expect(out.user.seenInPretraining).toBe(true);
    expect(out.item).toBeNull();
    expect(r.stdout).toMatch(/Item cold start: skipped/);
    expect(existsSync(json)).toBe(true);
  }, 60_000);
});
