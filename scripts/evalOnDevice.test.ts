import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/engine/model/config';
import { SasRec } from '../src/engine/model/sasrec';
import { saveModelFiles } from './lib/modelFiles';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-ondevice-'));
const NUM_ITEMS = 14;

function run(args: string[]) {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts/evalOnDevice.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  // MovieLens-100K files: 30 people over 12 films, each walking the films in a cycle.
  const data = join(dir, 'ml-100k');
  mkdirSync(data);
  const films = ['Toy Story (1995)', 'Shawshank Redemption, The (1994)', 'Heat (1995)', 'Casino (1995)', 'Babe (1995)', 'Seven (Se7en) (1995)',
    'Postino, Il (1994)', 'Braveheart (1995)', 'Apollo 13 (1995)', 'Clueless (1995)', 'Jumanji (1995)', 'Unknown Film (1990)'];
  writeFileSync(join(data, 'u.item'), films.map((t, i) => `${i + 1}|${t}|01-Jan-1995||http://x|${'0|'.repeat(18)}1`).join('\n') + '\n');
  const rows: string[] = [];
  for (let u = 1; u <= 30; u++) for (let k = 0; k < 9 + (u % 4); k++) rows.push(`${u}\t${((u + k) % 12) + 1}\t${k % 5 === 4 ? 2 : 5}\t${880000000 + k * 100}`);
  writeFileSync(join(data, 'u.data'), rows.join('\n') + '\n');
  // A "shipped" model over 14 items with its own catalog (ML-1M spellings, two films of its own).
  await tf.setBackend('cpu');
  const model = SasRec.create(resolveConfig({ numItems: NUM_ITEMS, maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0 }), 5);
  const modelDir = join(dir, 'model');
  await saveModelFiles(modelDir, model, [], 'float32');
  model.dispose();
  const catalog = [...films.slice(0, 11).map((t) => t.replace(/ \((\d{4})\)$/, '|$1')), 'Matrix, The|1999', 'Heat|1986', 'Fargo|1996'];
  writeFileSync(join(modelDir, 'catalog.json'), JSON.stringify({ items: catalog.map((t, i) => ({ id: i + 1, externalId: String(900 + i), title: t.split('|')[0], year: Number(t.split('|')[1]), genres: [], popularity: 20 - i })) }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval:ondevice protocols and mechanisms', () => {
  it('shift with a LoRA adapter: join counts, protocol and mechanism in the JSON, the same shape as standard', () => {
    const out = join(dir, 'shift.json');
    const r = run(['--protocol', 'shift', '--mechanism', 'lora', '--data', join(dir, 'ml-100k'), '--model', join(dir, 'model'), '--users', '4', '--only', 'future', '--policy', '{"steps":2,"adapterRank":2}', '--json', out]);
    expect(r.stderr + r.stdout).not.toMatch(/Error:/);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.protocol).toBe('shift');
    expect(j.mechanism).toBe('lora');
    expect(j.policy.adapter).toBe('lora');
    expect(j.policy.learningRate).toBe(0.01);
    expect(j.join).toMatchObject({ ml100kItems: 12, joined: 11, modelItemsWithoutCounterpart: 3 });
    expect(j.evaluatedUsers).toBe(4);
    for (const k of ['ndcg10', 'hr10', 'usersHurtShare', 'referenceDropPct', 'msPerUser', 'msPerStep', 'ownEarlier']) expect(j).toHaveProperty(k);
    expect(j.ndcg10).toHaveProperty('ci95');
    expect(r.stdout).toContain('protocol shift, mechanism lora');
  });

  it('explains a bad protocol, mechanism or a reference folder without a model', () => {
    const base = ['--data', join(dir, 'ml-100k'), '--model', join(dir, 'model')];
    expect(run([...base, '--protocol', 'drift']).stderr).toContain('--protocol must be one of standard, shift, long');
    expect(run([...base, '--mechanism', 'prefix']).stderr).toContain('--mechanism must be one of whole, lastBlock, lora, bias, userEmbedding');
    const noRef = run([...base, '--protocol', 'shift', '--users', '2', '--only', 'future', '--policy', '{"steps":1}', '--reference-model', join(dir, 'nothing')]);
    expect(noRef.code).not.toBe(0);
    expect(noRef.stderr).toContain('--reference-minutes');
  });
});
