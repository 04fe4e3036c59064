import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { hostPage, startEmbedOrigins, startPlainHtmlExample, type EmbedOrigins } from './widget/origins';
import { feedIds, feeds, likeAndWait, logRequests, recordWidgetEvents, waitReady, widgetEvents } from './widget/feedPage';

/** The embed tests' own ports: E2E_PORT + 1 (widget origin), + 2 (host origin), + 4 (plain-html example); + 3 is the React example's. */
const BASE_PORT = Number(process.env.E2E_PORT ?? 4317);
const WIDGET_PORT = BASE_PORT + 1;
const HOST_PORT = BASE_PORT + 2;

let origins: EmbedOrigins;
const model = () => `${origins.widget.origin}/models/tiny-test/`;

test.beforeAll(async () => {
  expect(existsSync('dist-lib/localrec-widget.js'), 'run `npm run build:lib` first (npm run e2e does)').toBe(true);
  origins = await startEmbedOrigins(WIDGET_PORT, HOST_PORT);
});
test.afterAll(async () => { await origins?.close(); });
test.beforeEach(async ({ context }) => { await recordWidgetEvents(context); });

test('cross-origin embed: the feed renders, a like re-ranks, a reload remembers; only static GETs to the two origins; host CSS stays out', async ({ page, context }) => {
  const requests = logRequests(context);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const url = origins.page('one.html', hostPage(origins.widget.origin, [{ model: model(), limit: '8' }]));
  origins.widget.requests.length = 0;
  await page.goto(url);
  const feed = feeds(page).first();
  await waitReady(feed);
  await expect(feed.locator('[part="status"]')).toContainText('WASM, single-threaded');
  await expect(feed).toHaveAttribute('data-threads', 'false');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  expect((await widgetEvents(page, 'localrec-ready'))[0].detail).toMatchObject({ backend: 'wasm', threads: false });

  // The host's `button { background: red !important }` reaches its own button, not the widget's.
  const bg = (sel: string) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await bg('#host-button')).toBe('rgb(255, 0, 0)');
  const likeButton = feed.locator('[part~="like"]').first();
  expect(await likeButton.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgb(255, 0, 0)');
  expect(await likeButton.evaluate((el) => getComputedStyle(el).fontSize)).not.toBe('40px');
  expect(await feed.locator('li.card').first().evaluate((el) => getComputedStyle(el).display)).toBe('flex');
  // What the host may do: custom properties and ::part().
  expect(await feed.locator('li.card').first().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(250, 240, 230)');
  expect(await feed.locator('[part="title"]').first().evaluate((el) => getComputedStyle(el).color)).toBe('rgb(0, 0, 128)');

  // Keyboard: Tab from the host's button reaches the widget; Escape closes the privacy menu and returns focus.
  await page.locator('#host-button').focus();
  await page.keyboard.press('Tab');
  await expect(feed.locator('[part~="privacy-button"]')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(feed.locator('[part="menu"]')).toBeVisible();
  await expect(feed.locator('[part~="export"]')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(feed.locator('[part="menu"]')).toBeHidden();
  await expect(feed.locator('[part~="privacy-button"]')).toBeFocused();

  const before = await feedIds(feed);
  expect(before).toHaveLength(8);
  const after = await likeAndWait(feed, before[0]);
  expect(after).not.toEqual(before.slice(1).concat(after.slice(7)));
  expect((await widgetEvents(page, 'localrec-interaction'))[0].detail).toMatchObject({ itemId: before[0], kind: 'like' });

  // The history is in the host origin's IndexedDB, under a localrec: name.
  const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(dbs).toContain('localrec:widget:127.0.0.1:' + String(origins.widget.origin.split(':').pop()) + ':tiny-test');
  expect(dbs.every((n) => n?.startsWith('localrec:'))).toBe(true);

  await page.reload();
  await waitReady(feed);
  await expect(feed).toHaveAttribute('data-source', 'model');
  expect(await feedIds(feed)).not.toContain(before[0]);
  await feed.locator('[part~="privacy-button"]').click();
  await expect(feed.locator('[part="menu"]')).toContainText('1 interaction');
  await page.keyboard.press('Escape');
  await expect(feed.locator('[part="menu"]')).toBeHidden();

  const origin = (u: string) => new URL(u).origin;
  const network = requests.filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  expect(network.length).toBeGreaterThan(5);
  expect(network.filter((r) => r.method !== 'GET')).toEqual([]);
  expect([...new Set(network.map((r) => origin(r.url)))].sort()).toEqual([origins.host.origin, origins.widget.origin].sort());
  const served = [...origins.widget.requests, ...origins.host.requests];
  expect(served.filter((r) => r.method !== 'GET' || (r.status !== 200 && r.status !== 304))).toEqual([]);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  expect(errors).toEqual([]);
});

test('two widgets on one page both render from one engine: one worker, one model download', async ({ page }) => {
  const url = origins.page('two.html', hostPage(origins.widget.origin, [{ model: model(), limit: '4' }, { model: model(), limit: '6', discover: '0.9' }]));
  origins.widget.requests.length = 0;
  await page.goto(url);
  await waitReady(feeds(page).nth(0));
  await waitReady(feeds(page).nth(1));
  expect(await feedIds(feeds(page).nth(0))).toHaveLength(4);
  expect(await feedIds(feeds(page).nth(1))).toHaveLength(6);
  const count = (path: string) => origins.widget.requests.filter((r) => r.path === path).length;
  expect(count('/models/tiny-test/weights.bin')).toBe(1);
  expect(count('/models/tiny-test/model.json')).toBe(1);
  expect(count('/localrec/localrec-worker.js')).toBe(1);
  expect(await widgetEvents(page, 'localrec-ready')).toHaveLength(2);

  // A like in one re-ranks the other (one store), and removing one keeps the other working.
  const second = feeds(page).nth(1);
  const secondBefore = await feedIds(second);
  const first = await feedIds(feeds(page).nth(0));
  await likeAndWait(feeds(page).nth(0), first[0]);
  await expect.poll(() => feedIds(second)).not.toEqual(secondBefore);
  await page.evaluate(() => document.querySelector('localrec-feed')?.remove());
  await likeAndWait(feeds(page).nth(0), (await feedIds(feeds(page).nth(0)))[0]);
  // The last one removed disposes the engine: its worker ends.
  expect(page.workers().length).toBeGreaterThan(0);
  await page.evaluate(() => document.querySelector('localrec-feed')?.remove());
  await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBe(0);
});

test('bad attributes: a clear message inside each widget, localrec-error, and the host page keeps working', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const url = origins.page('bad.html', hostPage(origins.widget.origin, [
    { model: `${origins.widget.origin}/models/no-such-model/` },
    { model: model(), limit: '12px' },
    { model: model(), device: 'tpu' },
    { model: model(), device: 'wasm', limit: '3' },
  ]));
  await page.goto(url);
  const alert = (i: number) => feeds(page).nth(i).locator('[role="alert"]');
  await expect(alert(0)).toContainText('no-such-model', { timeout: 60_000 });
  await expect(alert(1)).toContainText('limit="12px" must be a whole number from 1 to 100');
  await expect(alert(2)).toContainText('device="tpu" is unknown: use one of auto, webgpu, wasm, cpu');
  await waitReady(feeds(page).nth(3));
  const codes = (await widgetEvents(page, 'localrec-error')).map((e) => [e.index, e.detail.code]).sort();
  expect(codes).toEqual([[0, 'MODEL_LOAD_FAILED'], [1, 'INVALID_INPUT'], [2, 'INVALID_INPUT']]);
  await page.locator('#host-button').click();
  await expect(page.locator('#host-count')).toHaveText('1');
  expect(errors).toEqual([]);
});

test('a conflicting device on a second widget is reported in it, not ignored (and a second copy of the script is harmless)', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const secondCopy = `<script type="module" src="${origins.widget.origin}/localrec/localrec-widget.js?copy=2"></script>`;
  const url = origins.page('conflict.html', hostPage(origins.widget.origin, [{ model: model(), device: 'wasm', limit: '3' }, { model: model(), device: 'cpu', limit: '3' }], secondCopy));
  origins.widget.requests.length = 0;
  await page.goto(url);
  // Two module URLs, two module instances: the second finds the tag defined and leaves it.
  await expect.poll(() => origins.widget.requests.filter((r) => r.path === '/localrec/localrec-widget.js').length).toBe(2);
  await waitReady(feeds(page).nth(1));
  await expect(feeds(page).nth(1).locator('[part="note"]')).toContainText('device="cpu" was ignored');
  expect((await widgetEvents(page, 'localrec-error')).map((e) => [e.index, e.detail.code])).toEqual([[1, 'DEVICE_CONFLICT']]);
  expect(errors).toEqual([]);
});

test('examples/plain-html renders its feed with the shipped model', async ({ page }) => {
  expect(existsSync('public/models/ml-1m-sasrec/manifest.json'), 'the shipped model belongs in this checkout').toBe(true);
  const server = await startPlainHtmlExample(BASE_PORT + 4);
  try {
    await page.goto(`${server.origin}/index.html`);
    const feed = feeds(page).first();
    await waitReady(feed);
    await expect(feed.locator('li.card')).toHaveCount(12);
    await expect(feed.locator('a[part="title"]').first()).toHaveAttribute('href', /^https:\/\/www\.themoviedb\.org\/search\?query=/);
  } finally {
    await server.close();
  }
});

test('a host with COOP/COEP gets WASM threads (the widget files carry CORP)', async ({ page }) => {
  const url = origins.page('isolated.html', hostPage(origins.widget.origin, [{ model: model(), limit: '4' }]), 'isolated');
  await page.goto(url);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const feed = feeds(page).first();
  await waitReady(feed);
  await expect(feed.locator('[part="status"]')).toContainText('WASM, multi-threaded');
  await expect(feed).toHaveAttribute('data-threads', 'true');
});

for (const profile of ['csp', 'csp-isolated'] as const) {
  test(`the documented host CSP is enough (${profile})`, async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
    const url = origins.page(`${profile}.html`, hostPage(origins.widget.origin, [{ model: model(), limit: '5' }], '<script>window.inlineRan = true;</script>'), profile);
    const response = await page.goto(url);
    expect(response?.headers()['content-security-policy']).toContain("'wasm-unsafe-eval'");
    const feed = feeds(page).first();
    await waitReady(feed);
    await expect(feed.locator('[part="status"]')).toContainText(profile === 'csp' ? 'single-threaded' : 'multi-threaded');
    const before = await feedIds(feed);
    await likeAndWait(feed, before[1]);
    // The CSP is really enforced: the page's own inline script was refused (that one refusal is expected).
    expect(await page.evaluate(() => (window as Window & { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    expect(violations.filter((v) => !/inline script/i.test(v))).toEqual([]);
  });
}

test('consent="required": nothing stored until grantConsent(), then the interactions so far are kept', async ({ page }) => {
  const url = origins.page('consent.html', hostPage(origins.widget.origin, [{ model: model(), limit: '6', consent: 'required' }]));
  await page.goto(url);
  const feed = feeds(page).first();
  await expect(feed).toHaveAttribute('data-state', 'consent-pending');
  await expect(feed.locator('li.card')).toHaveCount(6);
  const liked = (await feedIds(feed))[0];
  await likeAndWait(feed, liked, 'memory');
  const stored = () => page.evaluate(async () => ({ dbs: (await indexedDB.databases()).map((d) => d.name), caches: await caches.keys() }));
  expect(await stored()).toEqual({ dbs: [], caches: [] });
  await feed.evaluate((el) => (el as HTMLElement & { grantConsent(): Promise<void> }).grantConsent());
  await waitReady(feed);
  expect((await stored()).dbs.some((n) => n?.startsWith('localrec:widget:'))).toBe(true);
  await feed.locator('[part~="privacy-button"]').click();
  await expect(feed.locator('[part="menu"]')).toContainText('1 interaction');
});
