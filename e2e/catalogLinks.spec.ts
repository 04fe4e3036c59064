import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeManifest } from '../scripts/lib/manifest';
import { appUrl } from './helpers';
import { startStaticServer, type StaticServer } from './staticServer';

// A site whose catalog gives every item a picture inside the site and a link (as `npm run demo` makes).
const PORT = Number(process.env.E2E_PORT ?? 4317) + 2;
let work = '';
let server: StaticServer;

test.beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'localrec-links-'));
  cpSync('dist', work, { recursive: true });
  mkdirSync(join(work, 'img'));
  copyFileSync('public/icons/icon-192.png', join(work, 'img', 'cover.png'));
  const model = join(work, 'models', 'tiny-test');
  const catalog = JSON.parse(readFileSync(join(model, 'catalog.json'), 'utf8')) as { items: Record<string, unknown>[] };
  for (const item of catalog.items) Object.assign(item, { image: 'img/cover.png', url: `https://shop.example/items/${String(item.externalId)}` });
  writeFileSync(join(model, 'catalog.json'), JSON.stringify(catalog));
  writeManifest(model, 'tiny-test');
  server = await startStaticServer(work, PORT);
});

test.afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('catalog pictures load from the site itself; item links open only on click, in a new tab, without a referrer', async ({ page }) => {
  const requests: string[] = [];
  page.context().on('request', (r) => requests.push(r.url()));
  await page.goto(`${server.url}${appUrl()}`);
  const card = page.locator('.feed-list[data-ready="true"] article.card').first();
  await expect(card).toBeVisible({ timeout: 90_000 });
  const img = card.locator('img.cover-image');
  await expect(img).toHaveAttribute('src', '/img/cover.png');
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(192);
  const link = card.getByRole('link', { name: /Open page/ });
  await expect(link).toHaveAttribute('href', /^https:\/\/shop\.example\/items\//);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(page.getByTestId('links-note')).toContainText('opens only when you click it');
  expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
});
