import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsFromDump, parseRankDump } from '../src/engine/eval/rankDump';
import { resolveConfig } from '../src/engine/model/config';
import { SasRec } from '../src/engine/model/sasrec';
import type { EvalReport } from './lib/evalReport';
import { saveModelFiles } from './lib/modelFiles';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-eval-'));
const NUM_ITEMS = 10;

function run(script: string, args: string[]) {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  // 12 users walking the items in a cycle (item i is followed by i+1), 5-7 steps each.
  const lines = ['user,item,timestamp,rating'];
  for (let u = 0; u < 12; u++) {
    const len = 5 + (u % 3);
    for (let k = 0; k < len; k++) {
      const item = ((u + k) % NUM_ITEMS) + 1;
      lines.push(`user${u},m${item},2024-01-${String(k + 1).padStart(2, '0')},${1 + ((u + k) % 5)}`);
    }
  }
  writeFileSync(join(dir, 'interactions.csv'), `${lines.join('\n')}\n`);
  const genres = ['Drama', 'Comedy', 'Action'];
  const cat = ['id,title,tags'];
  for (let i = 1; i <= NUM_ITEMS; i++) cat.push(`m${i},"Movie ${i}, the (${1990 + i})",${genres[i % 3]}|${genres[(i + 1) % 3]}`);
  writeFileSync(join(dir, 'catalog.csv'), `${cat.join('\n')}\n`);
  await tf.setBackend('cpu');
  const model = SasRec.create(resolveConfig({ numItems: NUM_ITEMS, maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0 }), 5);
  await saveModelFiles(join(dir, 'model'), model, [], 'float32');
  const other = SasRec.create(resolveConfig({ numItems: NUM_ITEMS + 1, maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0 }), 5);
  await saveModelFiles(join(dir, 'model11'), other, [], 'float32');
  model.dispose();
  other.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run eval (end to end on a tiny dataset)', () => {
  it('evaluates model and baselines, writes the stable JSON shape and a dump that recomputes the same metrics', () => {
    const json = join(dir, 'out.json');
    const dump = join(dir, 'ranks.tsv');
    const r = run('eval.ts', ['--model', join(dir, 'model'), '--data', dir, '--baselines', '--sampled', '--json', json, '--dump-ranks', dump]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| model \| HR@5 \| HR@10 \|/);
    expect(r.stdout).toMatch(/\| sasrec \|/);
    expect(r.stdout).toMatch(/Sampled protocol \(older, NOT comparable with full ranking\)/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as EvalReport;
    expect(report.protocol).toBe('loo-full');
    expect(report.users).toBe(12);
    expect(report.items).toBe(NUM_ITEMS);
    expect(report.primary).toBe('sasrec');
    expect(Object.keys(report.models)).toEqual(['sasrec', 'most-popular', 'item-to-item', 'item-knn']);
    const keys = ['HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20', 'MRR', 'coverage@10', 'novelty@10', 'ild@10'];
    for (const m of Object.values(report.models)) expect(Object.keys(m.metrics).sort()).toEqual([...keys].sort());
    expect(report.metrics).toEqual(report.models.sasrec.metrics);
    expect(report.sampled?.protocol).toBe('loo-sampled-100');
    expect(Object.keys(report.sampled?.models ?? {})).toEqual(Object.keys(report.models));
    // 10 items, each user has seen 4-6 of them: the target is among at most 6 candidates, so HR@10 = 1.
    expect(report.metrics['HR@10']).toBe(1);
    // The cycle rule is exactly what item-to-item learns: every target ranks first.
    expect(report.models['item-to-item'].metrics['HR@5']).toBe(1);
    expect(report.models['item-to-item'].metrics.MRR).toBe(1);

    const rows = parseRankDump(readFileSync(dump, 'utf8'), dump);
    expect(rows).toHaveLength(12);
    expect(rows[0].user).toBe('user0');
    const recomputed = metricsFromDump(rows);
    for (const k of ['HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20']) {
      expect(recomputed[k]).toBeCloseTo(report.metrics[k] ?? Number.NaN, 12);
    }
    const cli = run('metricsFromDump.ts', [dump]);
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as { metrics: Record<string, number> }).metrics['NDCG@10']).toBeCloseTo(report.metrics['NDCG@10'] ?? Number.NaN, 12);
    const self = run('metricsFromDump.ts', [dump, '--versus', dump]);
    expect(self.code).toBe(0);
    expect((JSON.parse(self.stdout) as { versus: { liftPct: number; users: number } }).versus).toMatchObject({ liftPct: 0, users: 12 });
  });

  it('runs baselines only without a model, on a user subset, dumping a chosen baseline', () => {
    const json = join(dir, 'base.json');
    const dump = join(dir, 'knn.tsv');
    const r = run('eval.ts', ['--data', join(dir, 'interactions.csv'), '--catalog', join(dir, 'catalog.csv'), '--users', '5',
      '--json', json, '--dump-ranks', dump, '--dump-model', 'item-knn']);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as EvalReport;
    expect(report.users).toBe(5);
    expect(report.primary).toBe('most-popular');
    expect(report.sampled).toBeUndefined();
    const recomputed = metricsFromDump(parseRankDump(readFileSync(dump, 'utf8'), dump));
    expect(recomputed['NDCG@5']).toBeCloseTo(report.models['item-knn'].metrics['NDCG@5'] ?? Number.NaN, 12);
    const mismatch = run('metricsFromDump.ts', [dump, '--versus', join(dir, 'ranks.tsv')]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/ranks\.tsv has 12 rows but .*knn\.tsv has 5; compare dumps of the same evaluation/);
  });

  it('--target valid ranks the second-to-last item; --by-length splits people by interaction count', () => {
    const json = join(dir, 'valid.json');
    const r = run('eval.ts', ['--data', dir, '--target', 'valid', '--by-length', '6,7', '--json', json, '--dump-ranks', join(dir, 'valid.tsv')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validation item \(second to last/);
    expect(r.stdout).toMatch(/\| people with \| users \| most-popular \| item-to-item \| item-knn \|/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as EvalReport;
    expect(report.target).toBe('valid');
    // Users have 5, 6 or 7 interactions (u % 3): four of each.
    expect(report.byLength?.['item-to-item'].map((g) => [g.label, g.users])).toEqual([['<6', 4], ['6–6', 4], ['≥7', 4]]);
    // Each dumped target is the item before the user's last: user u's items are u+1 .. u+len (mod 10).
    const rows = parseRankDump(readFileSync(join(dir, 'valid.tsv'), 'utf8'), 'valid.tsv');
    // user0 walks m1..m5 (dense ids 1..5, the first items seen): the validation target is m4.
    expect(rows[0]).toMatchObject({ user: 'user0', target: 4 });
    // Group means weighted by users give the overall HR@10.
    const groups = report.byLength?.['item-knn'] ?? [];
    const weighted = groups.reduce((a, g) => a + g['HR@10'] * g.users, 0) / 12;
    expect(weighted).toBeCloseTo(report.models['item-knn'].metrics['HR@10'] ?? Number.NaN, 12);
    const test = run('eval.ts', ['--data', dir, '--json', join(dir, 'test.json')]);
    expect((JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8')) as EvalReport).target).toBe('test');
    expect(test.stdout).toMatch(/test item \(last\)/);
  });

  it('rejects a bad --target or --by-length with the expected form', () => {
    const t = run('eval.ts', ['--data', dir, '--target', 'last']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--target must be "test" \(the last item, the default\) or "valid"/);
    const b = run('eval.ts', ['--data', dir, '--by-length', '100,50']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--by-length takes ascending interaction counts .* got "100,50"/);
  });

  it('fails clearly when the model does not match the data, or the data is malformed', () => {
    const r = run('eval.ts', ['--model', join(dir, 'model11'), '--data', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/knows 11 items but .* has 10\. Evaluate it on the data it was trained on/);
    writeFileSync(join(dir, 'bad.csv'), 'u1,m1,1\nu1,m2,tomorrow\n');
    const bad = run('eval.ts', ['--data', join(dir, 'bad.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.csv:2: timestamp "tomorrow" is neither a number nor an ISO date/);
    const usage = run('eval.ts', []);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: npm run eval/);
  });
});
