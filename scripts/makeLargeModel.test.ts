import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateManifest } from '../src/engine/loading/manifest';
import { parseCatalog } from '../src/engine/loading/parseCatalog';
import { parseModel } from '../src/engine/loading/parseModelFiles';
import { MODEL_FORMAT_VERSION } from '../src/engine/model/formatVersion';

const root = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'localrec-large-'));
const run = (args: string[]) => spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts', 'makeLargeModel.ts'), ...args], { cwd: root, encoding: 'utf8' });
const read = (p: string) => { const b = readFileSync(p); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; };

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('make:large-model', () => {
  it('writes one servable folder per precision: shipped architecture, catalog with genres, features, manifest', () => {
    const r = run(['--items', '300', '--dim', '16', '--out', join(dir, 'm')]);
    expect(r.stderr).toMatch(/done in/);
    expect(r.status).toBe(0);
    const sizes: Record<string, number> = {};
    for (const precision of ['float16', 'uint8']) {
      const folder = join(dir, 'm', precision);
      const manifest = validateManifest(JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')), folder);
      expect(manifest.formatVersion).toBe(MODEL_FORMAT_VERSION);
      for (const f of manifest.files) {
        expect(createHash('sha256').update(readFileSync(join(folder, f.path))).digest('hex')).toBe(f.sha256);
      }
      const model = parseModel(new Map(['model.json', 'weights.bin'].map((f) => [f, read(join(folder, f))])));
      expect(model.config).toMatchObject({ numItems: 300, dim: 16, blocks: 2, block: 'sasrec', positions: 'fromStart', numFeatures: 29 });
      expect(model.features?.shape).toEqual([301, 29]);
      const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { precision: string };
      expect(json.precision).toBe(precision);
      model.dispose();
      const catalog = parseCatalog(read(join(folder, 'catalog.json')));
      expect(catalog).toHaveLength(300);
      expect(catalog[0].genres.length).toBeGreaterThan(0);
      sizes[precision] = readFileSync(join(folder, 'weights.bin')).byteLength;
    }
    expect(sizes.uint8).toBeLessThan(sizes.float16);
  });

  it('rejects bad arguments with the usage', () => {
    const r = run(['--items', 'many', '--out', join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--items must be an integer/);
    expect(run(['--items', '10']).stderr).toMatch(/--out is required/);
  });
});
