import { expect, test } from '@playwright/test';
import { act, feedIds, openReady } from './helpers';

const MODEL = 'ml-1m-sasrec';

interface Snapshot {
  complete: string | undefined;
  viewDiscover: string | undefined;
  /** Per position: the item id, or null for an empty slot; and whether it intersects the viewport. */
  positions: { id: number | null; inView: boolean }[];
}

declare global {
  interface Window {
    visibleFirstSnapshot?: Snapshot;
  }
}

// Visible-first rendering (src/ui/useVisibleFirst.ts): a re-rank of a long feed commits the cards in
// view at once and the rest of the list in a transition right after.
test('a re-rank of a long feed shows the new ranking in view at once, then the whole list as the engine ranks it', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 700 });
  await openReady(page, { model: MODEL });
  const first = await feedIds(page);
  await act(page, first[0], 'Like');
  await act(page, first[3], 'Like');
  for (let i = 0; i < 6; i++) {
    const n = await page.locator('.feed-list li').count();
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => page.locator('.feed-list li article.card').count()).toBeGreaterThanOrEqual(n + 12);
    await expect(page.locator('.feed-list')).toHaveAttribute('data-complete', 'true');
  }
  const count = await page.locator('.feed-list li').count();
  expect(count).toBeGreaterThanOrEqual(84);

  const slider = page.getByRole('slider', { name: 'Familiar ↔ Discover' });
  await slider.scrollIntoViewIfNeeded();
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.locator('.feed-list')).toHaveAttribute('data-discover', '0');
  await expect(page.locator('section.feed')).toHaveAttribute('aria-busy', 'false');
  await page.waitForTimeout(300); // the list's IntersectionObserver reports what is in view

  // The first commit that shows the new setting in view: what every position held at that moment.
  await page.evaluate(() => {
    const list = document.querySelector<HTMLElement>('.feed-list')!;
    const obs = new MutationObserver(() => {
      if (list.dataset.viewDiscover !== '1' || list.dataset.loading === 'true') return;
      obs.disconnect();
      window.visibleFirstSnapshot = {
        complete: list.dataset.complete,
        viewDiscover: list.dataset.viewDiscover,
        positions: [...list.children].map((li) => {
          const card = li.querySelector('article.card');
          const r = li.getBoundingClientRect();
          return { id: card ? Number(card.getAttribute('data-item-id')) : null, inView: r.bottom > 0 && r.top < innerHeight };
        }),
      };
    });
    obs.observe(list, { attributes: true, childList: true, subtree: true });
  });
  await page.keyboard.press('End');
  await expect(page.locator('.feed-list')).toHaveAttribute('data-discover', '1');
  await expect(page.locator('.feed-list')).toHaveAttribute('data-complete', 'true');
  await expect(page.locator('section.feed')).toHaveAttribute('aria-busy', 'false');

  const final = await feedIds(page);
  const ranked = await page.evaluate((n) => window.localrec!.engine.recommend({ count: n, discover: 1 }), count);
  expect(final).toEqual(ranked.map((r) => r.itemId));
  expect(await page.locator('.feed-list li.feed-slot').count()).toBe(0);

  const snap = (await page.evaluate(() => window.visibleFirstSnapshot))!;
  expect(snap).toBeDefined();
  // The urgent commit held part of the list only (visible-first did defer work)...
  expect(snap.complete).toBe('false');
  // ...but every position in view already showed the final ranking, and no item appeared twice.
  const inView = snap.positions.map((p, i) => ({ ...p, i })).filter((p) => p.inView);
  expect(inView.length).toBeGreaterThan(0);
  for (const p of inView) expect(p.id).toBe(final[p.i]);
  const ids = snap.positions.flatMap((p) => (p.id === null ? [] : [p.id]));
  expect(new Set(ids).size).toBe(ids.length);
  expect(snap.positions.length).toBe(final.length);
});
