import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-pretrain-torch-'));
const data = join(dir, 'data');
const config = join(dir, 'config.json');

const pretrain = (name: string, extra: string[] = []) => {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', 'pretrainTorch.ts'),
    '--data', data, '--out', join(dir, name, 'out'), '--checkpoint-dir', join(dir, name, 'run'), '--config', config, ...extra], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
};
const history = (name: string) =>
  readFileSync(join(dir, name, 'run', 'history.jsonl'), 'utf8').trim().split('\n')
    .map((l) => { const { seconds: _, ...rest } = JSON.parse(l) as Record<string, number>; return rest; });

beforeAll(() => {
  // 16 people walking 10 items in a cycle (item i is followed by i+1), 6-9 steps each, with genres and years.
  mkdirSync(data, { recursive: true });
  const lines = ['user,item,timestamp'];
  for (let u = 0; u < 16; u++) for (let k = 0; k < 6 + (u % 4); k++) lines.push(`u${u},m${((u + k) % 10) + 1},${1000 + k}`);
  writeFileSync(join(data, 'interactions.csv'), `${lines.join('\n')}\n`);
  const cat = ['id,title,tags'];
  for (let i = 1; i <= 10; i++) cat.push(`m${i},Movie ${i} (${1990 + i}),${['Drama', 'Comedy'][i % 2]}`);
  writeFileSync(join(data, 'catalog.csv'), `${cat.join('\n')}\n`);
  writeFileSync(config, JSON.stringify({
    model: { maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0.1, positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier' },
    train: { epochs: 3, batchSize: 4, warmupSteps: 2, validUsers: 100, patience: 10, batches: 'random' },
  }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run pretrain:torch (PyTorch DDP on 2 processes, tiny data)', () => {
  it('trains, and the one exporter writes the complete folder with the trainer\'s own test figure beside tfjs\'s', () => {
    const r = pretrain('full', ['--nproc', '2']);
    expect(r.stderr).toMatch(/training on 2 processes \(gloo, CPU/);
    expect(r.code).toBe(0);
    const out = join(dir, 'full', 'out');
    for (const f of ['model.json', 'weights.bin', 'config.json', 'catalog.json', 'metrics.json', 'training.json', 'replay.json', 'MODEL_CARD.md', 'manifest.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')) as { trainer: string; epochs: number; torchTest: Record<string, number>; test: Record<string, number> };
    expect(training.trainer).toMatch(/^pytorch .*2 processes, cpu, DDP/);
    expect(training.epochs).toBe(3);
    // Same weights, same protocol: the PyTorch and the tfjs evaluation agree.
    expect(Math.abs(training.torchTest['NDCG@10'] - training.test['NDCG@10'])).toBeLessThanOrEqual(0.002);
    const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { formatVersion: number; precision: string; featureNames: string[] };
    expect(model).toMatchObject({ formatVersion: 2, precision: 'float16' });
    expect(model.featureNames.length).toBeGreaterThan(0);
    expect(history('full')).toHaveLength(3);
  });

  it('stopped after 5 steps and resumed, it ends with bit-identical weights and the same history', () => {
    const stopped = pretrain('resumed', ['--nproc', '2', '--max-steps', '5']);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/stopped \(--max-steps 5\) at epoch 1 batch 1; checkpoint saved/);
    expect(existsSync(join(dir, 'resumed', 'out'))).toBe(false);
    const resumed = pretrain('resumed', ['--nproc', '2', '--resume']);
    expect(resumed.stderr).toMatch(/resumed at epoch 1 batch 1/);
    expect(resumed.code).toBe(0);
    expect(history('resumed')).toEqual(history('full'));
    expect(readFileSync(join(dir, 'resumed', 'run', 'best', 'weights.bin')).equals(readFileSync(join(dir, 'full', 'run', 'best', 'weights.bin')))).toBe(true);
  });

  it('one process, bucketed batches, sampled softmax with log-Q and ID dropout: trains and exports', () => {
    const sampled = join(dir, 'sampled.json');
    writeFileSync(sampled, JSON.stringify({
      model: { maxLen: 8, dim: 8, blocks: 1, heads: 2, ffnDim: 8, dropout: 0.1, idDropout: 0.1 },
      train: { epochs: 2, batchSize: 4, validUsers: 100, loss: { kind: 'sampled', numNegatives: 4 }, batches: 'bucketed', lossWeighting: 'token' },
    }));
    const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', 'pretrainTorch.ts'), '--data', data, '--out', join(dir, 'sampled', 'out'),
      '--checkpoint-dir', join(dir, 'sampled', 'run'), '--config', sampled, '--precision', 'uint8'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toMatch(/training on 1 process \(gloo, CPU/);
    expect(r.status).toBe(0);
    const metrics = JSON.parse(readFileSync(join(dir, 'sampled', 'out', 'metrics.json'), 'utf8')) as { shippedPrecision: string; metrics: Record<string, number> };
    expect(metrics.shippedPrecision).toBe('uint8');
    expect(metrics.metrics['NDCG@10']).toBeGreaterThan(0);
  });

  it('refuses to resume with other train settings, and a bad --nproc, before training', () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), train: { epochs: 3, batchSize: 8, validUsers: 100 } }));
    const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', 'pretrainTorch.ts'), '--data', data, '--out', join(dir, 'full', 'out2'),
      '--checkpoint-dir', join(dir, 'full', 'run'), '--config', other, '--resume'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/other train settings \(.*batchSize: 4 → 8/);
    const bad = pretrain('bad', ['--nproc', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--nproc must be a whole number >= 1/);
  });
});
