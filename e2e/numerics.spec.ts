import { expect, test, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { describeAdapter, gpuAdapterRecord } from '../bench/lib/gpuAdapter';

/**
 * WebGPU, WASM and CPU compute the same numbers: forward scores, losses, the gradient of every
 * weight, one Adam step and one fine-tuning step of the tiny model and of a slice of the shipped
 * model (float16 weights), on histories that repeat items; plus scatter-adds with repeated indices
 * against exact sums. The page is the engine's own code (src/engine/testing/numerics), bundled
 * here with esbuild and served through page routes under the app's origin (WebGPU needs a secure
 * context: localhost is one); nothing of it ships in the app build.
 */

const PREFIX = '/__numerics/';
const WASM_DIR = 'node_modules/@tensorflow/tfjs-backend-wasm/dist/';
const SHIPPED = existsSync('public/models/ml-1m-sasrec/manifest.json');
const TYPES: Record<string, string> = { '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream' };

let harnessJs = '';

test.beforeAll(async () => {
  const out = await build({
    entryPoints: ['src/engine/testing/numerics/harnessPage.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  harnessJs = out.outputFiles[0].text;
});

/** Serves the harness page, its bundle, the WASM binaries and public/models under PREFIX. */
async function openHarness(page: Page): Promise<void> {
  await page.route(`**${PREFIX}**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice(PREFIX.length);
    if (path === 'index.html') {
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>numerics</title><script type="module" src="harness.js"></script>' });
    }
    if (path === 'harness.js') return route.fulfill({ contentType: 'text/javascript', body: harnessJs });
    const file = path.startsWith('wasm/') ? join(WASM_DIR, path.slice(5)) : path.startsWith('models/') ? join('public', normalize(path)) : null;
    if (!file || file.includes('..') || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  });
  await page.goto(`${PREFIX}index.html`);
  await page.waitForFunction(() => 'localrecNumerics' in window);
}

interface Report {
  passed: boolean;
  adapters: Record<string, string | null>;
  results: { backend: string; case: string; passed: boolean; entries: number; failures: string; worst: Record<string, { entry: string; maxRelToScale: number | null; maxAbs: number | null }>; leakedTensors: number }[];
  unsupported: { backend: string; entry: string; message: string }[];
}

async function runNumerics(page: Page, options: Record<string, unknown>): Promise<Report> {
  const origin = new URL(page.url()).origin;
  return page.evaluate(async (o) => {
    const w = window as unknown as { localrecNumerics: { run(x: unknown): Promise<unknown> } };
    return (await w.localrecNumerics.run(o)) as Report;
  }, { wasmPaths: `${origin}${PREFIX}wasm/`, ...options });
}

const models = (origin: string) => [
  { name: 'tiny-test', url: `${origin}${PREFIX}models/tiny-test/`, shape: { seqLen: 10, rows: 6, seed: 3 } },
  ...(SHIPPED ? [{ name: 'ml-1m-sasrec[0..300]', url: `${origin}${PREFIX}models/ml-1m-sasrec/`, shape: { numItems: 300, seqLen: 10, rows: 6, seed: 5 } }] : []),
];

test('webgpu, wasm and cpu agree on scores, losses, every gradient, an Adam step and a fine-tuning step', async ({ page }) => {
  test.setTimeout(300_000);
  await openHarness(page);
  const report = await runNumerics(page, { models: models(new URL(page.url()).origin), backends: ['wasm', 'webgpu'] });
  for (const r of report.results) {
    const worst = Object.entries(r.worst).map(([k, w]) => `${k} ${(w.maxRelToScale ?? Infinity).toExponential(1)}`).join(', ');
    console.log(`${r.backend.padEnd(6)} ${r.case.padEnd(22)} ${r.passed ? 'ok  ' : 'FAIL'} ${r.entries} entries; worst |diff|/max|ref|: ${worst || '-'}`);
  }
  for (const u of report.unsupported) console.log(`${u.backend}: ${u.entry} not available (${u.message.split('\n')[0]})`);
  console.log(`adapters: ${JSON.stringify(report.adapters)}`);
  expect(report.adapters.webgpu, 'WebGPU must really run (Chromium with --enable-unsafe-webgpu)').toBeTruthy();
  for (const r of report.results) expect(r.failures, `${r.backend} / ${r.case}`).toBe('');
  // Every case ran on every backend, with every entry compared.
  for (const b of ['wasm', 'webgpu']) {
    for (const m of models('')) {
      const r = report.results.find((x) => x.backend === b && x.case === m.name);
      expect(r?.entries, `${b} / ${m.name}`).toBeGreaterThan(50);
    }
  }
  // WebGPU has every kernel the check uses (WASM lacks UnsortedSegmentSum, which the engine avoids).
  expect(report.unsupported.filter((u) => u.backend === 'webgpu')).toEqual([]);
  expect(report.passed).toBe(true);
});

test('the check trips on an embedding gradient that lost duplicate contributions', async ({ page }) => {
  test.setTimeout(180_000);
  await openHarness(page);
  const origin = new URL(page.url()).origin;
  const report = await runNumerics(page, { models: models(origin).slice(0, 1), backends: ['webgpu'], corrupt: { backend: 'webgpu', case: 'tiny-test' } });
  const r = report.results.find((x) => x.backend === 'webgpu' && x.case === 'tiny-test');
  expect(r?.passed).toBe(false);
  expect(r?.failures).toContain('ce/grad/item_emb');
  expect(report.passed).toBe(false);
});

test("bench:browser's adapter record names this machine's WebGPU adapter and whether it is a fallback", async ({ page }) => {
  await openHarness(page);
  const a = await gpuAdapterRecord(page);
  console.log(describeAdapter(a));
  expect(a.available).toBe(true);
  // No GPU here: Chromium offers SwiftShader, which must not pass for a hardware adapter.
  expect(a.isFallbackAdapter === true || a.softwareRenderer).toBe(true);
  expect(describeAdapter(a)).toMatch(/software\/fallback adapter, not a GPU/);
});
