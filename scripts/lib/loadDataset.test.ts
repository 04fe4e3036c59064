import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRecError, ParseError } from '../../src/engine/errors';
import { loadDataset } from './loadDataset';

const dir = mkdtempSync(join(tmpdir(), 'localrec-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = join(__dirname, '../../src/engine/data/fixtures');

function write(rel: string, content: string | Uint8Array): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

describe('loadDataset format detection', () => {
  it('reads a SASRec lines file', () => {
    const r = loadDataset(write('sas.txt', '1 1\n1 2\n2 2\n'));
    expect(r.format).toBe('sasrec-lines');
    expect(r.dataset.numItems).toBe(2);
    expect(r.catalog).toBeNull();
  });

  it('reads an ML-1M SASRec folder with its catalog (Latin-1 movies.dat)', () => {
    write('ml1m/ml-1m_sas.txt', '1 1\n1 2\n');
    write('ml1m/sas_to_original_items.txt', '1 10\n2 20\n');
    write('ml1m/movies.dat', Uint8Array.from('10::Caf\u00e9 (1999)::Drama|Comedy\n20::B (2000)::Action\n', (c) => c.charCodeAt(0)));
    const r = loadDataset(join(dir, 'ml1m'));
    expect(r.format).toBe('ml-1m-sas');
    expect(r.catalog?.[0]).toEqual({ id: 1, externalId: '10', title: 'Café', year: 1999, genres: ['Drama', 'Comedy'] });
  });

  it('reads an ML-100K folder and the u.data file itself', () => {
    const flags = Array(19).fill('0').join('|');
    write('ml100k/u.data', '1\t2\t5\t100\n1\t1\t2\t50\n');
    write('ml100k/u.item', `1|A (1990)|||x|${flags}\n2|B (1991)|||x|${flags}\n`);
    for (const p of [join(dir, 'ml100k'), join(dir, 'ml100k/u.data')]) {
      const r = loadDataset(p);
      expect(r.format).toBe('ml-100k');
      expect(Array.from(r.dataset.sequences[0])).toEqual([1, 2]);
      expect(Array.from(r.dataset.ratings?.[0] ?? [])).toEqual([2, 5]);
      expect(r.catalog?.map((c) => c.title)).toEqual(['A', 'B']);
    }
  });

  it('reads an interactions CSV with a --catalog CSV or JSON, and a folder with interactions.csv', () => {
    for (const cat of ['catalog.csv', 'catalog.json']) {
      const r = loadDataset(join(fixtures, 'interactions.csv'), { catalog: join(fixtures, cat) });
      expect(r.format).toBe('interactions-csv');
      expect(r.dataset.userIds).toEqual(['alice', 'bob']);
      expect(Array.from(r.dataset.sequences[0])).toEqual([1, 2, 3]);
      expect(r.catalog?.length).toBe(4);
    }
    copyFileSync(join(fixtures, 'interactions.csv'), write('own/interactions.csv', ''));
    copyFileSync(join(fixtures, 'catalog.json'), write('own/catalog.json', ''));
    expect(loadDataset(join(dir, 'own')).catalog?.[1].title).toBe('Me, Myself and Irene');
  });

  it('fails clearly on a missing path, an unknown folder, a Latin-1 CSV and an unknown item', () => {
    expect(() => loadDataset(join(dir, 'nope'))).toThrow(LocalRecError);
    mkdirSync(join(dir, 'empty'));
    expect(() => loadDataset(join(dir, 'empty'))).toThrow(/holds no known dataset/);
    const latin = write('latin.csv', Uint8Array.from('u,Caf\u00e9,1\n', (c) => c.charCodeAt(0)));
    expect(() => loadDataset(latin)).toThrow(/latin\.csv:1: byte 0xe9 is not valid UTF-8/);
    const unknown = write('unknown.csv', 'u1,m1,1\nu1,zz,2\n');
    expect(() => loadDataset(unknown, { catalog: join(fixtures, 'catalog.csv') })).toThrow(ParseError);
    const warnings: string[] = [];
    const r = loadDataset(unknown, { catalog: join(fixtures, 'catalog.csv'), unknownItems: 'skip', onWarning: (m) => warnings.push(m) });
    expect(Array.from(r.dataset.sequences[0])).toEqual([1]);
    expect(warnings).toHaveLength(1);
  });
});

describe('loadDataset: one line per user and the import report', () => {
  it('detects "<user> <item> <item> …" (it used to stop with "expected 2 fields") and reports the import', () => {
    const lines: string[] = [];
    const r = loadDataset(write('users.txt', 'A x y z\nB y z\nC\n'), { onReport: (l) => lines.push(l) });
    expect(r.format).toBe('user-lines');
    expect(r.dataset.sequences.map((s) => s.length)).toEqual([3, 2]);
    expect(lines.join('\n')).toMatch(/import report \(user-lines\): 3 rows read; dropped 1 \(a user with no items\)/);
  });

  it('a flag forces the layout; two-field lines with numeric items stay SASRec lines unless asked', () => {
    const pairs = write('pairs.txt', '1 5\n2 7\n1 7\n');
    expect(loadDataset(pairs).format).toBe('sasrec-lines');
    const r = loadDataset(pairs, { format: 'user-lines' });
    expect(r.format).toBe('user-lines');
    expect(r.dataset.itemIds).toEqual(['', '5', '7']);
    expect(loadDataset(write('named.txt', 'A x\nB y\n')).format).toBe('user-lines');
  });

  it('an interactions CSV reports tied timestamps', () => {
    const lines: string[] = [];
    loadDataset(write('ties.csv', 'user,item,timestamp\nu,a,5\nu,b,5\nu,c,6\nv,a,1\n'), { onReport: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/4 rows read; none dropped/);
    expect(lines.join('\n')).toMatch(/tied timestamps: 1 \(kept in file order\)/);
  });
});
