import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeManifest } from '../scripts/lib/manifest';
import { writeServiceWorker } from '../scripts/vite/serviceWorkerPlugin';
import { act, appUrl, feedIds, fineTuneSteps, learnNow, storedContainers } from './helpers';
import { startStaticServer, type StaticServer } from './staticServer';

// A plain static server (no COOP/COEP/CSP, like GitHub Pages) on the port after the preview's.
const PORT = Number(process.env.E2E_PORT ?? 4317) + 1;
test.use({ serviceWorkers: 'allow' });

let work = '';
let server: StaticServer;

/** A copy of the built site marked `name` in its index.html, with its own sw.js (so its own build id). */
async function deployment(name: string): Promise<string> {
  const dir = join(work, name);
  cpSync('dist', dir, { recursive: true });
  const index = join(dir, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('<head>', `<head>\n    <meta name="localrec-deployment" content="${name}" />`));
  await writeServiceWorker(dir);
  return dir;
}

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 90_000 });
  await expect(page.locator('.feed-list[data-ready="true"] article.card').first()).toBeVisible();
}

async function shellCaches(page: Page): Promise<string[]> {
  return (await storedContainers(page)).caches.filter((c) => c.startsWith('localrec-shell-'));
}

test.beforeAll(async () => {
  expect(existsSync('dist/sw.js'), 'build first: npx vite build').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'localrec-sw-'));
  await deployment('one');
  await deployment('two');
  server = await startStaticServer(join(work, 'one'), PORT);
});

test.afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('no COOP/COEP from the host: one quick reload, then WASM threads; with the server stopped the app still ranks, records and learns', async ({ page }) => {
  server.setRoot(join(work, 'one'));
  const loads: number[] = [];
  const started = Date.now();
  page.on('load', () => loads.push(Date.now() - started));
  await page.goto(`${server.url}${appUrl({ device: 'wasm' })}`);
  await ready(page);
  console.log(`first visit on a header-less host: page loads at ${loads.join(', ')} ms, feed ready at ${Date.now() - started} ms`);
  expect(loads.length).toBe(2); // the first visit reloads exactly once
  await expect(page.getByTestId('isolation')).toHaveAttribute('data-mode', 'service-worker');
  await expect(page.getByTestId('threads')).toHaveText('yes');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('offline')).toHaveAttribute('data-state', 'ready');
  await act(page, (await feedIds(page))[0], 'Like');

  await server.stop();
  expect(await page.evaluate(() => fetch('/models/tiny-test/manifest.json').then((r) => r.ok, () => false))).toBe(false);
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('interactions')).toHaveText('1');
  await expect(page.getByTestId('threads')).toHaveText('yes');
  for (let i = 0; i < 2; i++) await act(page, (await feedIds(page))[0], 'Like');
  await act(page, (await feedIds(page))[0], 'Not interested');
  const run = await learnNow(page);
  expect(run.steps, run.reason).toBeGreaterThan(0);
  await expect.poll(() => fineTuneSteps(page)).toBeGreaterThan(0);

  // "Delete everything" also removes the offline copy and the service worker.
  await page.getByRole('button', { name: 'Delete everything' }).click();
  await page.getByRole('button', { name: 'Yes, delete everything' }).click();
  await expect(page.getByTestId('privacy-message')).toHaveText(/offline copy of the app/);
  expect(await storedContainers(page)).toEqual({ databases: [], caches: [] });
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  await server.start();
});

test('a new deployment replaces the cached build as a whole, after the person reloads', async ({ page }) => {
  server.setRoot(join(work, 'one'));
  await page.goto(`${server.url}${appUrl({ device: 'wasm' })}`);
  await ready(page);
  await expect(page.getByTestId('offline')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('offline')).not.toHaveAttribute('data-build', '');
  const firstBuild = await page.getByTestId('offline').getAttribute('data-build');
  expect(await shellCaches(page)).toEqual([`localrec-shell-${firstBuild}`]);

  server.setRoot(join(work, 'two'));
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
  await expect(page.getByTestId('update-banner')).toBeVisible();
  // Until the person accepts, the page and its cache stay on the first build.
  expect(await page.locator('meta[name="localrec-deployment"]').getAttribute('content')).toBe('one');
  await page.getByRole('button', { name: 'Reload to update' }).click();
  await expect(page.locator('meta[name="localrec-deployment"]')).toHaveAttribute('content', 'two');
  await ready(page);
  await expect(page.getByTestId('offline')).not.toHaveAttribute('data-build', firstBuild ?? '');
  const secondBuild = await page.getByTestId('offline').getAttribute('data-build');
  expect(secondBuild).toMatch(/^[0-9a-f]{16}$/);
  expect(await shellCaches(page)).toEqual([`localrec-shell-${secondBuild}`]);

  await server.stop();
  await page.reload();
  await ready(page);
  await expect(page.locator('meta[name="localrec-deployment"]')).toHaveAttribute('content', 'two');
  await server.start();
});

test('a new model manifest replaces the cached model files: one version in the cache, used offline', async ({ page }) => {
  const site = await deployment('model-update');
  server.setRoot(site);
  await page.goto(`${server.url}${appUrl({ device: 'wasm' })}`);
  await ready(page);
  const modelKeys = () => page.evaluate(async () => (await (await caches.open('localrec-models-v1')).keys()).map((r) => r.url.replace(/^.*\/models\//, '')).sort());
  const before = await modelKeys();
  expect(before).toContain('tiny-test/manifest.json');

  // Publish a new version of the model: other weights, a new manifest.
  const folder = join(site, 'models', 'tiny-test');
  const weights = readFileSync(join(folder, 'weights.bin'));
  weights[weights.length - 1] ^= 1;
  writeFileSync(join(folder, 'weights.bin'), weights);
  const manifest = writeManifest(folder, 'tiny-test');
  const newWeights = manifest.files.find((f) => f.path === 'weights.bin')!.sha256;
  await page.reload();
  await ready(page);
  await expect.poll(modelKeys).toContain(`tiny-test/weights.bin?sha256=${newWeights}`);
  const after = await modelKeys();
  expect(after.filter((k) => k.startsWith('tiny-test/weights.bin'))).toEqual([`tiny-test/weights.bin?sha256=${newWeights}`]);
  expect(after.length).toBe(before.length);

  await server.stop();
  await page.reload();
  await ready(page);
  expect((await modelKeys()).filter((k) => k.startsWith('tiny-test/weights.bin'))).toEqual([`tiny-test/weights.bin?sha256=${newWeights}`]);
  await server.start();
});

test('catalog pictures seen online show offline too, and "Delete everything" removes them', async ({ page }) => {
  const site = await deployment('pictures');
  mkdirSync(join(site, 'img'));
  copyFileSync('public/icons/icon-192.png', join(site, 'img', 'cover.png'));
  const model = join(site, 'models', 'tiny-test');
  const catalog = JSON.parse(readFileSync(join(model, 'catalog.json'), 'utf8')) as { items: Record<string, unknown>[] };
  for (const item of catalog.items) item.image = 'img/cover.png';
  writeFileSync(join(model, 'catalog.json'), JSON.stringify(catalog));
  writeManifest(model, 'tiny-test');
  server.setRoot(site);

  const firstCover = () => page.locator('.feed-list[data-ready="true"] article.card').first().locator('img.cover-image');
  await page.goto(`${server.url}${appUrl({ device: 'wasm' })}`);
  await ready(page);
  await expect(page.getByTestId('offline')).toHaveAttribute('data-state', 'ready');
  await expect.poll(() => firstCover().evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(192);
  const build = await page.getByTestId('offline').getAttribute('data-build');
  await expect.poll(async () => (await shellCaches(page)).sort()).toEqual([`localrec-shell-${build}`, `localrec-shell-${build}-images`]);

  await server.stop();
  await page.reload();
  await ready(page);
  await expect.poll(() => firstCover().evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(192);

  await page.getByRole('button', { name: 'Delete everything' }).click();
  await page.getByRole('button', { name: 'Yes, delete everything' }).click();
  await expect(page.getByTestId('privacy-message')).toHaveText(/offline copy of the app/);
  expect(await storedContainers(page)).toEqual({ databases: [], caches: [] });
  await server.start();
});
