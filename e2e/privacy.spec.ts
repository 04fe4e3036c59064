import { readFileSync } from 'node:fs';
import { expect, test, type Page, type Request } from '@playwright/test';
import { act, appUrl, feedIds, learnNow, openReady, storedContainers } from './helpers';

const STATIC_PATH = /^\/(|index\.html|manifest\.webmanifest|sw\.js|(assets|icons)\/[\w.-]+|models\/[\w.-]+\/[\w.-]+)$/;

async function exportBundle(page: Page): Promise<{ text: string; json: Record<string, unknown> }> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export my data' }).click();
  const path = await (await download).path();
  const text = readFileSync(path, 'utf8');
  return { text, json: JSON.parse(text) as Record<string, unknown> };
}

async function deleteEverything(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Delete everything' }).click();
  await page.getByRole('button', { name: 'Yes, delete everything' }).click();
  await expect(page.getByTestId('privacy-message')).toHaveText(/was deleted/);
}

async function trainedSession(page: Page): Promise<void> {
  await openReady(page);
  for (let i = 0; i < 3; i++) await act(page, (await feedIds(page))[0], 'Like');
  await act(page, (await feedIds(page))[0], 'Not interested');
  await learnNow(page);
}

test('a whole session makes only same-origin GETs of static files, carrying no history', async ({ page, baseURL }) => {
  const requests: Request[] = [];
  page.context().on('request', (r) => requests.push(r));
  await trainedSession(page);
  await page.locator('article.card').first().getByRole('button', { name: /^Details:/ }).click();
  await page.keyboard.press('Escape');
  const { text } = await exportBundle(page);
  await page.getByLabel('Import file').setInputFiles({ name: 'export.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(page.getByTestId('privacy-message')).toHaveText(/Imported/);
  await deleteEverything(page);

  const origin = new URL(baseURL!).origin;
  const network = requests.filter((r) => !r.url().startsWith('blob:') && !r.url().startsWith('data:'));
  expect(network.length).toBeGreaterThan(5);
  // The worker's own downloads are in the log too (weights are fetched only there).
  expect(network.some((r) => new URL(r.url()).pathname === '/models/tiny-test/weights.bin')).toBe(true);
  for (const r of network) {
    const url = new URL(r.url());
    expect(r.method(), r.url()).toBe('GET');
    expect(url.origin, r.url()).toBe(origin);
    expect(r.postData(), r.url()).toBeNull();
    expect(url.pathname, r.url()).toMatch(STATIC_PATH);
    // Only the page itself has a query (model, hooks); files never do.
    if (r.resourceType() !== 'document') expect(url.search, r.url()).toBe('');
  }
});

test('delete everything leaves IndexedDB and caches empty', async ({ page }) => {
  await trainedSession(page);
  // The panel says what the personal model is: by default a LoRA adapter of a few KB.
  await expect(page.getByTestId('personal-model')).toHaveText(/^a personal LoRA adapter \(rank 4\), [\d.]+ KB, plus [\d.]+ KB of optimizer state; [1-9]\d* training steps$/);
  const before = await storedContainers(page);
  expect(before.databases.length).toBeGreaterThan(0);
  expect(before.caches.length).toBeGreaterThan(0);
  await deleteEverything(page);
  expect(await storedContainers(page)).toEqual({ databases: [], caches: [] });
  await expect(page.getByTestId('interactions')).toHaveText('0');
  await expect(page.getByTestId('finetune-steps')).toHaveText('0');
  await expect(page.getByTestId('personal-model')).toHaveText('none, using the pretrained model');
});

test('export then import round-trips exactly; a bad file is rejected and nothing is lost', async ({ page }) => {
  await trainedSession(page);
  const first = await exportBundle(page);
  expect((first.json.events as unknown[]).length).toBe(4);

  await page.getByLabel('Import file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "not-ours"') });
  await expect(page.getByRole('alert').filter({ hasText: 'Import failed' })).toBeVisible();
  await page.getByLabel('Import file').setInputFiles({ name: 'wrong.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"something-else","events":[1,2]}') });
  await expect(page.getByRole('alert').filter({ hasText: 'nothing was changed' })).toBeVisible();
  await expect(page.getByTestId('interactions')).toHaveText('4');

  await deleteEverything(page);
  await expect(page.getByTestId('interactions')).toHaveText('0');
  await page.getByLabel('Import file').setInputFiles({ name: 'export.json', mimeType: 'application/json', buffer: Buffer.from(first.text) });
  await expect(page.getByTestId('privacy-message')).toHaveText(/Imported/);
  await expect(page.getByTestId('interactions')).toHaveText('4');

  const second = await exportBundle(page);
  const { exportedAt: a, ...restFirst } = first.json;
  const { exportedAt: b, ...restSecond } = second.json;
  expect(typeof a).toBe('number');
  expect(typeof b).toBe('number');
  expect(restSecond).toEqual(restFirst);
});

test('the page is cross-origin isolated and sends a same-origin-only CSP', async ({ page }) => {
  const response = await page.goto(appUrl());
  const headers = response!.headers();
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['content-security-policy']).toContain("connect-src 'self'");
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  // A request to another origin is refused by the CSP before it leaves the page.
  const violation = await page.evaluate(async () => {
    const seen = new Promise<string>((resolve) => document.addEventListener('securitypolicyviolation', (e) => resolve(`${e.effectiveDirective} ${e.blockedURI}`)));
    await fetch('http://example.invalid/x').catch(() => {});
    return seen;
  });
  expect(violation).toBe('connect-src http://example.invalid/x');
});

test('delete everything while another tab holds the stored data says so, then finishes', async ({ page }) => {
  await openReady(page);
  await act(page, (await feedIds(page))[0], 'Like');
  // An old tab that never lets go of the database (ignores versionchange).
  await page.evaluate(() => new Promise<void>((resolve, reject) => {
    const req = indexedDB.open('localrec:default');
    req.onsuccess = () => {
      (window as unknown as { holder: IDBDatabase }).holder = req.result;
      resolve();
    };
    req.onerror = () => reject(req.error);
  }));
  await page.getByRole('button', { name: 'Delete everything' }).click();
  await page.getByRole('button', { name: 'Yes, delete everything' }).click();
  const problem = page.getByTestId('engine-problem');
  await expect(problem).toContainText('other LocalRec tabs');
  await expect(problem).toHaveAttribute('data-code', 'STORAGE_FAILED');
  await page.evaluate(() => (window as unknown as { holder: IDBDatabase }).holder.close());
  await expect(page.getByTestId('privacy-message')).toHaveText(/was deleted/);
  await expect(page.getByTestId('interactions')).toHaveText('0');
  await problem.getByRole('button', { name: 'Dismiss' }).click();
  await expect(problem).toHaveCount(0);
});
