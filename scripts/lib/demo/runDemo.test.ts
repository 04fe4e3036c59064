import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalRecError } from '../../../src/engine/errors';
import { securityHeaders } from '../../../src/site/securityHeaders';
import { modelNameFrom, runDemo } from './runDemo';

const dir = mkdtempSync(join(tmpdir(), 'localrec-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 80 people walking mostly forward through 20 items (so next-item structure exists), 6-10 steps each. */
function writeData(images: (i: number) => string): { data: string; catalog: string } {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows = ['user,item,timestamp'];
  for (let u = 0; u < 80; u++) {
    let item = 1 + Math.floor(rand() * 20);
    const n = 6 + Math.floor(rand() * 5);
    for (let k = 0; k < n; k++) {
      rows.push(`u${u},sku-${item},${1_700_000_000 + k * 60}`);
      item = rand() < 0.8 ? (item % 20) + 1 : 1 + Math.floor(rand() * 20);
    }
  }
  const catalog = ['id,title,tags,image,url'];
  for (let i = 1; i <= 20; i++) catalog.push(`sku-${i},${i % 4 === 0 ? '' : `Mug ${i}`},${i % 2 ? 'Blue' : 'Red'},${images(i)},${i === 5 ? 'https://shop.example/sku-5' : ''}`);
  const data = join(dir, 'my-shop.csv');
  const cat = join(dir, 'items.csv');
  writeFileSync(data, `${rows.join('\n')}\n`);
  writeFileSync(cat, `${catalog.join('\n')}\n`);
  return { data, catalog: cat };
}

describe('npm run demo', () => {
  it('refuses an image from another origin before any training, saying why', async () => {
    const { data, catalog } = writeData((i) => (i === 3 ? 'https://cdn.example/sku-3.jpg' : ''));
    const out = join(dir, 'refused-site');
    const err = await runDemo({ data, catalog, out, maxMinutes: 1, work: join(dir, 'work-refused'), log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalRecError);
    expect((err as Error).message).toMatch(/item "sku-3": image "https:\/\/cdn\.example\/sku-3\.jpg" is a URL/);
    expect((err as Error).message).toContain('would tell that origin which items the person looks at');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'work-refused'))).toBe(false);
  });

  it('refuses to write into a folder it did not make', async () => {
    const { data, catalog } = writeData(() => '');
    const out = join(dir, 'someone-elses');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await expect(runDemo({ data, catalog, out, maxMinutes: 1, log: () => {} })).rejects.toThrow(/not empty and was not written by npm run demo; nothing was changed/);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('turns a small CSV into a site: app, model as the default, card with baselines, host headers, images', async () => {
    const { data, catalog } = writeData((i) => (i <= 2 ? `img/sku-${i}.png` : ''));
    mkdirSync(join(dir, 'img'));
    writeFileSync(join(dir, 'img', 'sku-1.png'), 'png bytes');
    const out = join(dir, 'site');
    const lines: string[] = [];
    const result = await runDemo({ data, catalog, out, maxMinutes: 0.1, work: join(dir, 'work'), log: (l) => lines.push(l) });
    expect(result.name).toBe('my-shop');
    expect(result.missingImages).toEqual(['img/sku-2.png']);

    for (const f of ['index.html', 'sw.js', 'manifest.webmanifest', '_headers', 'nginx.conf', '.nojekyll', 'DEPLOY.md', 'img/sku-1.png']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, 'models', 'ml-1m-sasrec'))).toBe(false);
    // The built app opens this model by default.
    const bundle = readFileSync(join(out, 'index.html'), 'utf8').match(/assets\/index-[\w-]+\.js/)![0];
    expect(readFileSync(join(out, bundle), 'utf8')).toContain('my-shop');

    const model = join(out, 'models', 'my-shop');
    const manifest = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    for (const f of ['catalog.json', 'model.json', 'weights.bin', 'config.json', 'MODEL_CARD.md']) {
      const entry = manifest.files.find((e) => e.path === f);
      expect(entry, f).toBeDefined();
      expect(createHash('sha256').update(readFileSync(join(model, f))).digest('hex')).toBe(entry!.sha256);
    }
    const items = (JSON.parse(readFileSync(join(model, 'catalog.json'), 'utf8')) as { items: { externalId: string; title: string; image?: string; url?: string }[] }).items;
    expect(items.find((it) => it.externalId === 'sku-1')?.image).toBe('img/sku-1.png');
    expect(items.find((it) => it.externalId === 'sku-5')?.url).toBe('https://shop.example/sku-5');
    expect(items.find((it) => it.externalId === 'sku-4')?.title).toBe('Sku 4'); // no title: label from the id

    const card = readFileSync(join(model, 'MODEL_CARD.md'), 'utf8');
    for (const row of ['this model', 'Most popular', 'Item-to-item transitions']) expect(card).toContain(row);
    for (const m of [result.metrics.metrics, result.metrics.baselines['most-popular'], result.metrics.baselines['item-to-item']]) {
      expect(card).toContain(m['NDCG@10'].toFixed(4));
      expect(lines.join('\n')).toContain(m['NDCG@10'].toFixed(4));
    }
    expect(lines.join('\n')).toContain('| most popular (baseline) |');
    expect(lines.join('\n')).toMatch(/--preset auto/);

    const headers = readFileSync(join(out, '_headers'), 'utf8');
    for (const [k, v] of Object.entries(securityHeaders())) {
      expect(headers).toContain(`  ${k}: ${v}`);
      expect(readFileSync(join(out, 'nginx.conf'), 'utf8')).toContain(`add_header ${k} "${v}" always;`);
    }
    expect(readFileSync(join(out, 'DEPLOY.md'), 'utf8')).toContain('GitHub Pages');
  }, 240_000);

  it('names the model after the data file', () => {
    expect(modelNameFrom('data/My Shop 2024.csv')).toBe('my-shop-2024');
    expect(modelNameFrom('/x/__.csv')).toBe('my-model');
  });
});
