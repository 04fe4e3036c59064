import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';

/** The example's own dev server: E2E_PORT + 3 (the app's preview is on E2E_PORT, the embed tests use + 1 and + 2). */
const PORT = Number(process.env.E2E_PORT ?? 4317) + 3;
const ORIGIN = `http://localhost:${PORT}`;
let server: ViteDevServer;

test.beforeAll(async () => {
  if (!existsSync('dist-lib/localrec-react.js')) throw new Error('dist-lib/ is missing: run `npm run build:lib` first (`npm run e2e` does).');
  server = await createServer({ configFile: 'examples/react/vite.config.ts', server: { port: PORT, strictPort: true }, logLevel: 'warn' });
  await server.listen();
});
test.afterAll(async () => {
  await server?.close();
});

test('the React example renders a feed from the built library, and a like re-ranks it', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto(`${ORIGIN}/`);

  const cards = page.locator('.localrec-feed .localrec-card');
  await expect(cards.first()).toBeVisible({ timeout: 60_000 });
  expect(await cards.count()).toBe(8);
  await expect(page.getByTestId('backend')).toHaveText(/Running on (webgpu|wasm|cpu).*3,\d{3} titles/, { timeout: 90_000 });

  // The library started its own worker from beside itself, and the worker found its WASM there.
  expect(workers.some((u) => u.endsWith('/dist-lib/localrec-worker.js'))).toBe(true);
  const backend = (await page.getByTestId('backend').textContent()) ?? '';
  if (backend.includes('wasm')) {
    // The example server sends COOP/COEP: the unminified worker runs threaded WASM from dist-lib.
    expect(backend).toContain('(threads)');
    expect(requests.some((u) => u.endsWith('/dist-lib/tfjs-backend-wasm-threaded-simd.wasm'))).toBe(true);
  }

  const feed = page.locator('section.localrec-feed');
  await expect(feed).toHaveAttribute('data-ready', 'true');
  const liked = await cards.first().getAttribute('data-item-id');
  await cards.first().getByRole('button', { name: 'Like' }).click();
  await expect(page.locator('.last')).toContainText('like:');
  await expect(feed).toHaveAttribute('data-source', 'model');
  await expect(page.locator(`.localrec-card[data-item-id="${liked}"]`)).toHaveCount(0);
  await expect(cards).toHaveCount(8);

  // "Why this?" explains a model pick from the history.
  await cards.first().getByRole('button', { name: 'Why this?' }).click();
  await expect(page.locator('.localrec-why')).not.toBeEmpty();
  // Every request stayed on this origin (no CDN, no analytics).
  expect(requests.filter((u) => !u.startsWith(ORIGIN) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
});
