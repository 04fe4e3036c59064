import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/model/config';
import { SasRec } from '../../src/engine/model/sasrec';
import { pick, setupProtocol } from './onDeviceProtocols';

// 20 people over 12 films in MovieLens-100K files; the model's catalog spells titles the ML-1M way
// and lacks film 12, and has two films of its own.
const titles = ['Toy Story (1995)', 'Shawshank Redemption, The (1994)', 'Heat (1995)', 'Casino (1995)', 'Babe (1995)', 'Seven (Se7en) (1995)',
  'Postino, Il (1994)', 'Braveheart (1995)', 'Apollo 13 (1995)', 'Clueless (1995)', 'Jumanji (1995)', 'Unknown Film (1990)'];
const modelTitles = [['Toy Story', 1995], ['Heat', 1995], ['Shawshank Redemption, The', 1994], ['Casino', 1995], ['Babe', 1995], ['Seven (Se7en)', 1995],
  ['Postino, Il (The Postman)', 1994], ['Braveheart', 1995], ['Apollo 13', 1995], ['Clueless', 1995], ['Jumanji', 1995], ['Matrix, The', 1999], ['Heat', 1986]] as const;

let dir: string;
let model: SasRec;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'protocols-'));
  const data = join(dir, 'ml-100k');
  mkdirSync(data);
  writeFileSync(join(data, 'u.item'), titles.map((t, i) => `${i + 1}|${t}|01-Jan-1995||http://x|${'0|'.repeat(18)}1`).join('\n') + '\n');
  const rows: string[] = [];
  for (let u = 1; u <= 20; u++) for (let k = 0; k < 8 + (u % 4); k++) rows.push(`${u}\t${((u + k) % 12) + 1}\t${k % 5 === 4 ? 1 : 5}\t${880000000 + k * 100}`);
  writeFileSync(join(data, 'u.data'), rows.join('\n') + '\n');
  const modelDir = join(dir, 'model');
  mkdirSync(modelDir);
  writeFileSync(join(modelDir, 'catalog.json'), JSON.stringify({ items: modelTitles.map(([title, year], i) => ({ id: i + 1, externalId: String(500 + i), title, year, genres: [], popularity: 13 - i })) }));
  model = SasRec.create(resolveConfig({ numItems: modelTitles.length, maxLen: 6, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0 }), 1);
});
afterAll(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const args = (users?: number) => ({ data: join(dir, 'ml-100k'), modelDir: join(dir, 'model'), model, holdoutShare: 0.25, holdoutSeed: 7, users, reference: 50, seed: 1, futureCount: 3 });

describe('protocol shift', () => {
  it('joins the catalogs, evaluates the first N of a fixed shuffle of the held-out people, and never ranks unjoined model items', () => {
    const s = setupProtocol('shift', args(3), () => {});
    expect(s.join).toMatchObject({ ml100kItems: 12, joined: 11, ambiguous: 0 });
    expect(s.join?.ratingsKept).toBeLessThan(s.join?.ratingsTotal ?? 0);
    expect([...(s.excluded ?? [])].sort((a, b) => a - b)).toEqual([12, 13]);
    expect(s.people).toHaveLength(3);
    expect(setupProtocol('shift', args(5), () => {}).people.slice(0, 3)).toEqual(s.people);
    expect(s.people.every((u) => !s.trainPeople.includes(u))).toBe(true);
    expect(s.trainPeople).toHaveLength(15);
    // Film 1 ("Toy Story") is model item 1, film 2 ("Shawshank") model item 3.
    expect(Array.from(s.dataset.sequences[0]).every((i) => i >= 1 && i <= 11)).toBe(true);
    for (const c of s.referenceCases) expect(c.exclude).toEqual(expect.arrayContaining([12, 13]));
    // The popularity prior is the model catalog's.
    expect(s.prior.length).toBe(14);
  });
  it('--skip-users N evaluates the people after the first N of the same order (a policy chosen on the first N is checked on the rest)', () => {
    const all = setupProtocol('shift', args(), () => {}).people;
    expect(all.length).toBeGreaterThan(3);
    expect(setupProtocol('shift', { ...args(), skipUsers: 2 }, () => {}).people).toEqual(all.slice(2));
    expect(setupProtocol('shift', { ...args(1), skipUsers: 2 }, () => {}).people).toEqual(all.slice(2, 3));
    expect(pick([5, 6, 7, 8], { users: 2, skipUsers: 1 })).toEqual([6, 7]);
    expect(pick([5, 6, 7, 8], {})).toEqual([5, 6, 7, 8]);
    expect(pick([5, 6, 7, 8], { skipUsers: 9 })).toEqual([]);
  });
  it('refuses a model folder without a catalog', () => {
    expect(() => setupProtocol('shift', { ...args(3), modelDir: dir }, () => {})).toThrow(/catalog\.json/);
  });
});

describe('protocol long', () => {
  it('keeps held-out people whose history exceeds the window, with length buckets from maxLen + 1', () => {
    const ds = join(dir, 'long.txt');
    const lines: string[] = [];
    for (let u = 1; u <= 40; u++) for (let k = 0; k < 5 + (u % 8); k++) lines.push(`${u} ${((u * 3 + k) % 13) + 1}`);
    writeFileSync(ds, lines.join('\n') + '\n');
    const warnings: string[] = [];
    const s = setupProtocol('long', { ...args(), data: ds, modelDir: dir }, (m) => warnings.push(m));
    expect(warnings.join(' ')).toMatch(/no ratings|cannot check/);
    expect(s.people.length).toBeGreaterThan(0);
    for (const u of s.people) expect(s.dataset.sequences[u].length - 3).toBeGreaterThan(6);
    expect(s.lengthEdges?.[0]).toBe(7);
  });
});
