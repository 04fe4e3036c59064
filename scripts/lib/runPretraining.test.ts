import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRecError } from '../../src/engine/errors';
import { fetchManifest, fetchModelFiles, requiredFiles } from '../../src/engine/loading/fetchModelFiles';
import { parseCatalog } from '../../src/engine/loading/parseCatalog';
import { parseModel } from '../../src/engine/loading/parseModelFiles';
import { runPretraining } from './runPretraining';
import { tinySequences } from './tinyWorld';

const dir = mkdtempSync(join(tmpdir(), 'localrec-runpretrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILES = ['model.json', 'weights.bin', 'config.json', 'catalog.json', 'training.json', 'manifest.json', 'metrics.json', 'MODEL_CARD.md', 'replay.json'];

/** The app's own loading path (manifest, sha256 of each file, catalog, model) over the folder on disk. */
async function loadLikeTheApp(folder: string) {
  const fetchFile = async (url: string) => {
    const path = join(folder, url.replace('http://model.test/m/', ''));
    return existsSync(path) ? new Response(readFileSync(path)) : new Response('missing', { status: 404 });
  };
  const manifest = await fetchManifest('http://model.test/m/', { fetch: fetchFile, cache: null });
  const bytes = await fetchModelFiles('http://model.test/m/', manifest, requiredFiles(manifest), { fetch: fetchFile, cache: null });
  const catalog = parseCatalog(bytes.get('catalog.json') ?? new ArrayBuffer(0));
  const model = parseModel(bytes);
  return { manifest, catalog, model };
}

describe('runPretraining (no process spawned)', () => {
  it('auto preset on generated one-line-per-user data: prints its choices, then --out holds the complete servable folder the app loads', async () => {
    const data = join(dir, 'seqs.txt');
    writeFileSync(data, tinySequences(60, 3).map((s, u) => `user${u} ${s.map((i) => `item${i}`).join(' ')}`).join('\n'));
    const out = join(dir, 'model');
    const lines: string[] = [];
    const r = await runPretraining({ data, out, checkpointDir: join(dir, 'ckpt'), maxMinutes: 0.05 }, (l) => lines.push(l));
    const log = lines.join('\n');
    expect(log).toMatch(/import report \(user-lines\): 60 rows read; none dropped/);
    expect(log).toMatch(/settings chosen by --preset auto/);
    expect(log).toMatch(/maxLen \d+: the 90th-percentile history/);
    expect(log).toMatch(/loss: full softmax/);
    expect(log).toMatch(/content features: none/);
    expect(r.finished).toBe(true);
    for (const f of FILES) expect(existsSync(join(out, f)), f).toBe(true);
    // The manifest covers every other file with its real sha256.
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    expect(manifest.files.map((f) => f.path).sort()).toEqual(FILES.filter((f) => f !== 'manifest.json').sort());
    for (const f of manifest.files) expect(createHash('sha256').update(readFileSync(join(out, f.path))).digest('hex')).toBe(f.sha256);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { metrics: Record<string, number>; baselines: Record<string, Record<string, number>> };
    expect(metrics.metrics['NDCG@10']).toBeGreaterThanOrEqual(0);
    expect(Object.keys(metrics.baselines).sort()).toEqual(['item-to-item', 'most-popular']);
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/Item-to-item transitions \| [\d.]+ \| [\d.]+ \| measured here/);
    expect(card).not.toMatch(/Klenitskiy/); // published ML-1M rows do not belong on other data
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')) as { preset: string; train: { schedule: string }; history: { lr: number }[] };
    expect(training.preset).toBe('auto');
    expect(training.train.schedule).toBe('timed');
    // Steps stop early enough to validate inside the budget: no epoch made only of steps at rate 0.
    expect(training.history.length).toBeGreaterThan(0);
    for (const h of training.history) expect(h.lr).toBeGreaterThan(0);
    // The app accepts it: verified files, a catalog labelled with the data's own ids, a model of the right size.
    const before = tf.memory().numTensors;
    const loaded = await loadLikeTheApp(out);
    expect(loaded.catalog[0].title).toMatch(/^item\d+$/);
    expect(loaded.model.config.numItems).toBe(loaded.catalog.length);
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('refuses an unknown --precision or --preset before reading data or creating a checkpoint', async () => {
    const ckpt = join(dir, 'never');
    await expect(runPretraining({ data: join(dir, 'nowhere'), out: join(dir, 'x'), checkpointDir: ckpt, precision: 'int4' }, () => {}))
      .rejects.toThrow(/--precision must be one of float16, uint8, float32, got "int4"/);
    await expect(runPretraining({ data: join(dir, 'nowhere'), out: join(dir, 'x'), checkpointDir: ckpt, preset: 'best' as never }, () => {}))
      .rejects.toBeInstanceOf(LocalRecError);
    expect(existsSync(ckpt)).toBe(false);
  });
});
