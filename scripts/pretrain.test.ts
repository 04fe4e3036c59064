import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-pretrain-'));
const data = join(dir, 'data');
const config = join(dir, 'config.json');

function run(script: string, args: string[]) {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const pretrain = (name: string, extra: string[] = []) =>
  run('pretrain.ts', ['--data', data, '--out', join(dir, name, 'out'), '--checkpoint-dir', join(dir, name, 'ckpt'), '--config', config, ...extra]);

/** history.jsonl without the wall-clock seconds. */
const history = (name: string) =>
  readFileSync(join(dir, name, 'ckpt', 'history.jsonl'), 'utf8').trim().split('\n')
    .map((l) => { const { seconds: _, ...rest } = JSON.parse(l) as Record<string, number>; return rest; });

beforeAll(() => {
  // 16 people walking 10 items in a cycle (item i is followed by i+1), 6-9 steps each.
  mkdirSync(data, { recursive: true });
  const lines = ['user,item,timestamp'];
  for (let u = 0; u < 16; u++) {
    for (let k = 0; k < 6 + (u % 4); k++) lines.push(`u${u},m${((u + k) % 10) + 1},${1000 + k}`);
  }
  writeFileSync(join(data, 'interactions.csv'), `${lines.join('\n')}\n`);
  const cat = ['id,title,tags'];
  for (let i = 1; i <= 10; i++) cat.push(`m${i},Movie ${i} (${1990 + i}),${['Drama', 'Comedy'][i % 2]}`);
  writeFileSync(join(data, 'catalog.csv'), `${cat.join('\n')}\n`);
  writeFileSync(config, JSON.stringify({
    model: { maxLen: 8, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0.1 },
    train: { epochs: 3, batchSize: 4, warmupSteps: 2, validUsers: 100, patience: 10 },
  }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run pretrain (end to end on a tiny dataset)', () => {
  it('trains, keeps per-epoch snapshots, exports the best model and its test metrics', () => {
    const r = pretrain('full', ['--snapshots']);
    expect(r.stderr).toMatch(/training finished: best valid NDCG@10 [\d.]+ at epoch \d/);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'full', 'ckpt', 'epochs')).filter((n) => !n.includes('.')).sort()).toEqual(['001', '002', '003']);
    expect(history('full')).toHaveLength(3);
    const out = join(dir, 'full', 'out');
    for (const f of ['model.json', 'weights.bin', 'config.json', 'catalog.json', 'training.json']) expect(existsSync(join(out, f))).toBe(true);
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')) as { epochs: number; test: Record<string, number> };
    expect(training.epochs).toBe(3);
    expect(training.test['NDCG@10']).toBeGreaterThan(0);
  });

  it('stopped after one step and resumed, it ends with bit-identical weights and the same history', () => {
    const stopped = pretrain('resumed', ['--max-minutes', '0']);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/stopped \(--max-minutes 0\) at epoch 0 batch 1; checkpoint saved .* Continue with --resume/);
    expect(existsSync(join(dir, 'resumed', 'out'))).toBe(false);
    const resumed = pretrain('resumed', ['--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resumed from .* at epoch 0 batch 1/);
    expect(history('resumed')).toEqual(history('full'));
    for (const sub of ['best', 'checkpoint']) {
      const a = readFileSync(join(dir, 'full', 'ckpt', sub, 'weights.bin'));
      const b = readFileSync(join(dir, 'resumed', 'ckpt', sub, 'weights.bin'));
      expect(b.equals(a)).toBe(true);
    }
  });

  it('random batches on two worker threads train to the end and resume the same', () => {
    const randomConfig = join(dir, 'random.json');
    const base = JSON.parse(readFileSync(config, 'utf8')) as { model: object; train: object };
    writeFileSync(randomConfig, JSON.stringify({ model: base.model, train: { ...base.train, batches: 'random' } }));
    const go = (name: string, extra: string[]) =>
      run('pretrain.ts', ['--data', data, '--out', join(dir, name, 'out'), '--checkpoint-dir', join(dir, name, 'ckpt'), '--config', randomConfig, '--workers', '2', ...extra]);
    const full = go('random', []);
    expect(full.stderr).toMatch(/training on 2 worker threads/);
    expect(full.stderr).toMatch(/training finished/);
    expect(full.code).toBe(0);
    expect(history('random')).toHaveLength(3);
    expect(history('random')).not.toEqual(history('full'));
    expect(go('random-resumed', ['--max-minutes', '0']).code).toBe(0);
    expect(go('random-resumed', ['--resume']).code).toBe(0);
    expect(history('random-resumed')).toEqual(history('random'));
  });

  it('average-weights averages snapshots of one run into a loadable model folder', () => {
    const epochs = join(dir, 'full', 'ckpt', 'epochs');
    const out = join(dir, 'avg');
    const r = run('averageWeights.ts', ['--out', out, join(epochs, '002'), join(epochs, '003')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/averaged 2 snapshots/);
    const evalRun = run('eval.ts', ['--model', out, '--data', data, '--target', 'valid']);
    expect(evalRun.code).toBe(0);
    expect(evalRun.stdout).toMatch(/\| sasrec \|/);
    expect(JSON.parse(readFileSync(join(out, 'averaged.json'), 'utf8')).epochs).toEqual([2, 3]);
    // export:model carries the averaged epochs into training.json; the model card names them.
    const shipped = join(dir, 'avg-shipped');
    const exported = run('exportModel.ts', ['--checkpoint', out, '--data', data, '--out', shipped, '--run', join(dir, 'full', 'ckpt')]);
    expect(exported.stderr).toMatch(/exported/);
    expect(exported.code).toBe(0);
    const training = JSON.parse(readFileSync(join(shipped, 'training.json'), 'utf8')) as { averagedEpochs: number[]; epochs: number };
    expect(training.averagedEpochs).toEqual([2, 3]);
    expect(training.epochs).toBe(3);
    expect(run('writeModelCard.ts', ['--model', shipped]).code).toBe(0);
    expect(readFileSync(join(shipped, 'MODEL_CARD.md'), 'utf8')).toMatch(/mean of the weights after epochs 2–3/);
    // A run that held people out: export:model records them and tests on the people it trained on.
    const heldRun = join(dir, 'held-run');
    mkdirSync(join(heldRun, 'checkpoint'), { recursive: true });
    const fullRun = JSON.parse(readFileSync(join(dir, 'full', 'ckpt', 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(heldRun, 'run.json'), JSON.stringify({ ...fullRun, holdout: { share: 0.25, seed: 7 } }));
    writeFileSync(join(heldRun, 'checkpoint', 'state.json'), readFileSync(join(dir, 'full', 'ckpt', 'checkpoint', 'state.json')));
    const heldShipped = join(dir, 'held-shipped');
    const held = run('exportModel.ts', ['--checkpoint', out, '--data', data, '--out', heldShipped, '--run', heldRun]);
    expect(held.code).toBe(0);
    expect(held.stderr).toMatch(/holding out 4 of 16 users \(seed 7\) \(as the run did\)/);
    expect(JSON.parse(readFileSync(join(heldShipped, 'training.json'), 'utf8'))).toMatchObject({ holdout: { share: 0.25, seed: 7 }, holdoutItems: null });
    const users = (folder: string) => (JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8')) as { users: number }).users;
    expect(users(shipped)).toBe(16);
    expect(users(heldShipped)).toBe(12);
    const one = run('averageWeights.ts', ['--out', out, join(epochs, '002')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/two or more snapshots/);
    const missing = run('averageWeights.ts', ['--out', out, join(epochs, '002'), join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nowhere has no model\.json/);
  });

  it('--init-from continues another run from its weights and Adam state, with a linear decay to 0', () => {
    const base = JSON.parse(readFileSync(config, 'utf8')) as { model: object; train: object };
    const decayConfig = join(dir, 'decay.json');
    writeFileSync(decayConfig, JSON.stringify({ model: base.model, train: { ...base.train, epochs: 2, seed: 43, schedule: 'linear', warmupSteps: 0, learningRate: 0.002 } }));
    const go = (name: string, cfg: string, extra: string[]) =>
      run('pretrain.ts', ['--data', data, '--out', join(dir, name, 'out'), '--checkpoint-dir', join(dir, name, 'ckpt'), '--config', cfg, ...extra]);
    const from = join(dir, 'full', 'ckpt', 'checkpoint');
    const r = go('decay', decayConfig, ['--init-from', from]);
    expect(r.stderr).toMatch(/starting from the weights in .*full\/ckpt\/checkpoint with its Adam state/);
    expect(r.code).toBe(0);
    // Adam's step count carries on from the first run's (its moments and bias correction too).
    const steps = (name: string) => (JSON.parse(readFileSync(join(dir, name, 'ckpt', 'checkpoint', 'optimizer.json'), 'utf8')) as { step: number }).step;
    const perEpoch = steps('full') / 3;
    expect(steps('decay')).toBe(steps('full') + 2 * perEpoch);
    // The rate at each epoch's last step: 0.002 x (1 - (step - 1) / total steps).
    const lrs = history('decay').map((h) => h.lr);
    expect(lrs[0]).toBeCloseTo(0.002 * (1 - (perEpoch - 1) / (2 * perEpoch)), 12);
    expect(lrs[1]).toBeCloseTo(0.002 / (2 * perEpoch), 12);
    const runJson = JSON.parse(readFileSync(join(dir, 'decay', 'ckpt', 'run.json'), 'utf8')) as { initFrom: { optimizer: boolean; epochs: number; run: string } };
    expect(runJson.initFrom).toMatchObject({ optimizer: true, epochs: 3 });
    expect(runJson.initFrom.run).toMatch(/full\/ckpt$/);
    // export:model and the model card describe both phases.
    const shipped = join(dir, 'decay-shipped');
    expect(run('exportModel.ts', ['--checkpoint', join(dir, 'decay', 'ckpt', 'best'), '--data', data, '--out', shipped, '--run', join(dir, 'decay', 'ckpt')]).code).toBe(0);
    const training = JSON.parse(readFileSync(join(shipped, 'training.json'), 'utf8')) as { continuedFrom: { epochs: number; history: unknown[]; trainSeconds: number } };
    expect(training.continuedFrom.epochs).toBe(3);
    expect(training.continuedFrom.history).toHaveLength(3);
    expect(training.continuedFrom.trainSeconds).toBeGreaterThanOrEqual(0);
    expect(run('writeModelCard.ts', ['--model', shipped]).code).toBe(0);
    const card = readFileSync(join(shipped, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/Two phases: epochs 1–3 .* then epochs 4–5 continued from its checkpoint after epoch 3 .*weights and Adam state.* learning rate falling linearly from 0.002 to 0 over 2 epochs/);
    expect(card).toMatch(/linear decay to 0 \(epochs 4–5\)/);
    expect(card).toMatch(/Epochs run: 3 \+ 2 = 5/);
    // A folder holding a model of another shape is refused before training starts.
    const wide = join(dir, 'wide.json');
    writeFileSync(wide, JSON.stringify({ model: { ...base.model, dim: 16, ffnDim: 16 }, train: base.train }));
    const bad = go('decay-bad', wide, ['--init-from', from]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--init-from .* holds a model of another shape/);
    const none = go('decay-none', decayConfig, ['--init-from', join(dir, 'nowhere')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--init-from .*nowhere has no model\.json and config\.json/);
    // A phase must hold out the people its starting weights were kept away from (as pretrain:torch):
    // 'full' trained on everyone, so a phase claiming held-out people is refused, before it writes anything.
    const claims = go('decay-holdout', decayConfig, ['--init-from', from, '--holdout-users', '0.25']);
    expect(claims.code).toBe(2);
    expect(claims.stderr).toMatch(/--init-from .* was trained with other held-out people or items .*no --holdout-users there, --holdout-users 0\.25 --holdout-seed 7 here/);
    expect(existsSync(join(dir, 'decay-holdout', 'ckpt', 'run.json'))).toBe(false);
    // --resume with other held-out people than the checkpoint's is refused too, leaving it as it was.
    const before = readFileSync(join(dir, 'decay', 'ckpt', 'run.json'), 'utf8');
    const resumed = go('decay', decayConfig, ['--resume', '--holdout-users', '0.25']);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/held out other people or items .*resume with the same --holdout-users/);
    expect(readFileSync(join(dir, 'decay', 'ckpt', 'run.json'), 'utf8')).toBe(before);
  });

  it('--seed replaces the config seed; --resume refuses a checkpoint trained with other settings, leaving it as it was', () => {
    const seededConfig = join(dir, 'seed7.json');
    const base = JSON.parse(readFileSync(config, 'utf8')) as { model: object; train: object };
    writeFileSync(seededConfig, JSON.stringify({ model: base.model, train: { ...base.train, seed: 7 } }));
    const fromFile = run('pretrain.ts', ['--data', data, '--out', join(dir, 'seed7', 'out'), '--checkpoint-dir', join(dir, 'seed7', 'ckpt'), '--config', seededConfig]);
    expect(fromFile.code).toBe(0);
    expect(pretrain('seeded', ['--seed', '7', '--max-minutes', '0']).code).toBe(0);
    const stateFile = join(dir, 'seeded', 'ckpt', 'checkpoint', 'state.json');
    const before = readFileSync(stateFile);
    const other = pretrain('seeded', ['--seed', '8', '--resume']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/trained with other train settings \(seed: 7 → 8\).*Use the same --config and --seed/);
    expect(readFileSync(stateFile).equals(before)).toBe(true);
    expect((JSON.parse(readFileSync(join(dir, 'seeded', 'ckpt', 'run.json'), 'utf8')) as { train: { seed: number } }).train.seed).toBe(7);
    expect(pretrain('seeded', ['--seed', '7', '--resume']).code).toBe(0);
    expect(history('seeded')).toEqual(history('seed7'));
    expect(history('seeded')).not.toEqual(history('full'));
    const bad = pretrain('seed-bad', ['--seed', '4.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--seed must be a whole number >= 0, got "4.5"/);
  });

  it('bad settings stop the run before it starts, saying what to fix', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ train: { epoch: 3 } }));
    const bad = run('pretrain.ts', ['--data', data, '--out', join(dir, 'bad', 'out'), '--checkpoint-dir', join(dir, 'bad', 'ckpt'), '--config', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown train option "epoch"; known options: seed, epochs/);
    const minutes = pretrain('bad2', ['--max-minutes', 'soon']);
    expect(minutes.code).toBe(2);
    expect(minutes.stderr).toMatch(/--max-minutes must be a number of minutes >= 0, got "soon"/);
  });
});
