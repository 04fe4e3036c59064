import { expect, test, type Locator, type Page } from '@playwright/test';
import { rmSync } from 'node:fs';
import { LONG_TITLE, hostileModelFiles, hostileModelsDir, hostileTitle } from './faults/hostileCatalog';
import { act, cards, feedIds, feedRevision, interactions, openReady, waitForRerank } from './helpers';
import { hostPage, startEmbedOrigins, type EmbedOrigins } from './widget/origins';
import { feeds, likeAndWait, waitReady } from './widget/feedPage';

declare global {
  interface Window {
    __pwned?: number;
  }
}

/**
 * Checks one rendered card title against the catalog's hostile title: the exact characters as
 * text, no element made from them, and a box no taller than `maxLines` lines and no wider than
 * its card.
 */
async function expectTextInBox(title: Locator, card: Locator, maxLines: number): Promise<void> {
  const shape = await title.evaluate((el) => {
    const style = getComputedStyle(el);
    const lineHeight = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.4;
    return {
      elements: el.querySelectorAll('img, script, b, i').length,
      height: el.getBoundingClientRect().height,
      width: el.getBoundingClientRect().width,
      lineHeight,
      bidi: style.unicodeBidi,
      dir: el.getAttribute('dir'),
    };
  });
  const cardBox = await card.boundingBox();
  expect(shape.elements).toBe(0);
  expect(shape.height).toBeLessThanOrEqual(maxLines * shape.lineHeight + 2);
  expect(shape.width).toBeLessThanOrEqual((cardBox?.width ?? 0) + 0.5);
  expect(shape.bidi).toBe('isolate');
  expect(shape.dir).toBe('auto');
}

async function noScriptRan(page: Page): Promise<void> {
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
}

test('hostile catalog strings render as text in the app: markup, script, 10,000-character titles, right-to-left marks', async ({ page, context }) => {
  const { catalog, manifest } = hostileModelFiles();
  await context.route('**/models/tiny-test/catalog.json', (route) => route.fulfill({ body: catalog, contentType: 'application/json' }));
  await context.route('**/models/tiny-test/manifest.json', (route) => route.fulfill({ body: manifest, contentType: 'application/json' }));
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await openReady(page);
  const ids = await feedIds(page);
  expect(ids.length).toBeGreaterThan(4);
  // Every kind of hostile title is on screen: the feed plus the search for the long one.
  for (const id of ids) {
    const card = page.locator(`article.card[data-item-id="${id}"]`);
    const title = card.locator('.card-title');
    expect(await title.evaluate((el) => el.firstChild?.textContent)).toBe(hostileTitle(id));
    await expectTextInBox(title, card, 3);
  }
  expect(new Set(ids.map((id) => id % 4)).size).toBe(4);
  // Cards keep their size whatever their titles (a 10,000-character title unclamped would be thousands of pixels tall).
  await cards(page).first().scrollIntoViewIfNeeded();
  const heights = await cards(page).evaluateAll((els) => els.filter((el) => { const r = el.getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; }).map((el) => el.getBoundingClientRect().height));
  expect(heights.length).toBeGreaterThan(1);
  expect(Math.max(...heights)).toBeLessThan(1.25 * Math.min(...heights));
  // The 10,000-character title, in the details dialog too.
  const long = ids.find((id) => hostileTitle(id).length === LONG_TITLE.length);
  if (long === undefined) throw new Error('no long title in the feed');
  // Opening details counts as a view, which re-ranks the feed without that item: wait for it, so
  // the card acted on below is one the feed still shows.
  const viewsBefore = await interactions(page);
  const revisionBefore = await feedRevision(page);
  await page.locator(`article.card[data-item-id="${long}"] .card-open`).click();
  const heading = page.locator('#details-title');
  await expect(heading).toHaveText(hostileTitle(long));
  expect(await heading.evaluate((el) => el.getBoundingClientRect().height)).toBeLessThan(200);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('interactions')).toHaveText(String(viewsBefore + 1));
  await waitForRerank(page, revisionBefore);
  // Acting on hostile items works like any other.
  const target = (await feedIds(page)).find((id) => id !== long);
  if (target === undefined) throw new Error('the feed is empty after the view');
  await act(page, target, 'Like');
  await noScriptRan(page);
  expect(dialogs).toEqual([]);
  expect(await page.locator('#root img[src="x"], #root script').count()).toBe(0);
});

const BASE_PORT = Number(process.env.E2E_PORT ?? 4317);
let origins: EmbedOrigins;
let modelsDir: string;
test.describe('widget', () => {
  test.beforeAll(async () => {
    modelsDir = hostileModelsDir();
    origins = await startEmbedOrigins(BASE_PORT + 1, BASE_PORT + 2, 'dist-lib', modelsDir);
  });
  test.afterAll(async () => {
    await origins?.close();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  test('hostile catalog strings render as text in the widget, titles clamp, the host page is untouched', async ({ page }) => {
    const model = `${origins.widget.origin}/models/tiny-test/`;
    await page.goto(origins.page('hostile.html', hostPage(origins.widget.origin, [{ model, limit: '12' }])));
    const feed = feeds(page).first();
    await waitReady(feed);
    const titles = feed.locator('[part="title"]');
    const n = await titles.count();
    expect(n).toBe(12);
    const ids = await feed.locator('li.card').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-item-id'))));
    for (let i = 0; i < n; i++) {
      expect(await titles.nth(i).textContent()).toBe(hostileTitle(ids[i]));
      await expectTextInBox(titles.nth(i), feed.locator('li.card').nth(i), 3);
    }
    expect(new Set(ids.map((id) => id % 4)).size).toBe(4);
    expect(await feed.evaluate((el) => el.shadowRoot?.querySelectorAll('img, script, b, i').length)).toBe(0);
    await likeAndWait(feed, ids[0]);
    await noScriptRan(page);
    // The host page keeps working.
    await page.locator('#host-button').click();
    await expect(page.locator('#host-count')).toHaveText('1');
  });
});
