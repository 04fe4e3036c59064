import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';

/** A `localrec-*` event as recorded on the host page. */
export interface RecordedEvent {
  type: string;
  detail: Record<string, unknown>;
  index: number;
}

declare global {
  interface Window {
    __localrecEvents?: RecordedEvent[];
  }
}

/** Records every `localrec-*` event on the page from the first script on (before the widget loads). */
export async function recordWidgetEvents(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    const events: RecordedEvent[] = [];
    window.__localrecEvents = events;
    for (const type of ['localrec-ready', 'localrec-error', 'localrec-interaction', 'localrec-open']) {
      document.addEventListener(type, (e) => {
        const el = e.composedPath()[0] as Element;
        const index = [...document.querySelectorAll('localrec-feed')].indexOf(el);
        events.push({ type, detail: { ...(e as CustomEvent<Record<string, unknown>>).detail }, index });
      });
    }
  });
}

export async function widgetEvents(page: Page, type?: string): Promise<RecordedEvent[]> {
  const all = await page.evaluate(() => window.__localrecEvents ?? []);
  return type ? all.filter((e) => e.type === type) : all;
}

/** Every network request of a browser context (page and workers): method and URL. */
export function logRequests(context: BrowserContext): { method: string; url: string }[] {
  const log: { method: string; url: string }[] = [];
  context.on('request', (r) => log.push({ method: r.method(), url: r.url() }));
  return log;
}

export function feeds(page: Page): Locator {
  return page.locator('localrec-feed');
}

/** Item ids shown by one widget, in order (Playwright locators pierce the open shadow root). */
export async function feedIds(feed: Locator): Promise<number[]> {
  return feed.locator('li.card').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-item-id'))));
}

/** Waits until the model is loaded and the feed shown was ranked by the loaded engine. */
export async function waitReady(feed: Locator, timeout = 90_000): Promise<void> {
  await expect(feed).toHaveAttribute('data-state', 'ready', { timeout });
}

export async function revision(feed: Locator): Promise<number> {
  return Number(await feed.getAttribute('data-revision'));
}

/** Likes an item in a widget and waits for the feed rendered after it. */
export async function likeAndWait(feed: Locator, itemId: number, source: 'model' | 'memory' = 'model'): Promise<number[]> {
  const before = await revision(feed);
  await feed.locator(`li.card[data-item-id="${itemId}"] [part~="like"]`).click();
  await expect.poll(() => revision(feed)).toBeGreaterThan(before);
  await expect.poll(async () => (await feedIds(feed)).includes(itemId)).toBe(false);
  await expect(feed).toHaveAttribute('data-source', source);
  return feedIds(feed);
}
