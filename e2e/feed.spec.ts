import { expect, test } from '@playwright/test';
import { act, appUrl, cards, feedIds, fineTuneSteps, interactions, learnNow, mechanismPolicy, MODELS, openReady } from './helpers';

for (const model of MODELS) {
  test.describe(`feed with model ${model}`, () => {
    test('first feed renders before the model is ready, and again once it is', async ({ page }) => {
      // Hold the weights back: the popular feed must paint while the model is still loading.
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.context().route(`**/models/${model}/weights.bin`, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(appUrl({ model }));
      const first = cards(page).first();
      await expect(first).toBeVisible();
      await expect(page.getByTestId('backend')).toHaveText('loading…');
      await expect(page.getByRole('progressbar', { name: 'Model download' })).toBeVisible();
      release();
      await expect(first.getByRole('button', { name: 'Like', exact: true })).toBeVisible();
      await expect(first.getByRole('button', { name: 'Not interested', exact: true })).toBeVisible();
      await expect(first.locator('svg.cover')).toBeVisible();
      await expect(first.locator('.card-title')).not.toBeEmpty();
      await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm|cpu)$/, { timeout: 90_000 });
      await expect(page.locator('.feed-list[data-ready="true"]')).toBeVisible();
      expect(await cards(page).count()).toBeGreaterThanOrEqual(8);
      const ids = await feedIds(page);
      expect(new Set(ids).size).toBe(ids.length);
      await page.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(async () => (await feedIds(page)).length).toBeGreaterThan(ids.length);
    });

    test('like and dislike re-rank the feed, the disliked item stays gone, a reload keeps history and checkpoint', async ({ page }) => {
      await openReady(page, { model, policy: mechanismPolicy(model) });
      const start = await feedIds(page);
      const liked = start[0];
      await act(page, liked, 'Like');
      const afterLike = await feedIds(page);
      // The rest of the feed moved, not just the liked card.
      expect(afterLike.filter((id) => id !== liked)).not.toEqual(start.filter((id) => id !== liked));

      const disliked = afterLike[1];
      await act(page, disliked, 'Not interested');
      const afterDislike = await feedIds(page);
      expect(afterDislike).not.toContain(disliked);
      expect(afterDislike).not.toEqual(afterLike.filter((id) => id !== disliked));

      // Enough signal for fine-tuning: three more likes, then run it.
      for (let i = 0; i < 3; i++) await act(page, (await feedIds(page))[0], 'Like');
      let steps = await fineTuneSteps(page);
      for (let attempt = 0; attempt < 4 && steps === 0; attempt++) {
        await learnNow(page);
        await page.getByRole('button', { name: 'Show more' }).click();
        steps = await fineTuneSteps(page);
      }
      await expect.poll(() => fineTuneSteps(page)).toBeGreaterThan(0);
      steps = await fineTuneSteps(page);
      const events = await interactions(page);
      expect(events).toBe(5);

      await page.getByRole('button', { name: 'Show more' }).click();
      await page.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(async () => (await feedIds(page)).length).toBeGreaterThanOrEqual(30);
      expect(await feedIds(page)).not.toContain(disliked);

      await page.reload();
      await openReady(page, { model, policy: mechanismPolicy(model) });
      await expect(page.getByTestId('interactions')).toHaveText(String(events));
      await expect(page.getByTestId('finetune-steps')).toHaveText(String(steps));
      expect(await feedIds(page)).not.toContain(disliked);
      expect(await feedIds(page)).not.toContain(liked);
    });
  });
}

test('search finds a title and likes it', async ({ page }) => {
  await openReady(page);
  const title = (await cards(page).nth(3).locator('.card-title').textContent()) ?? '';
  const id = (await feedIds(page))[3];
  await page.getByLabel('Find a title you like').fill(title);
  const result = page.getByRole('list', { name: 'Search results' }).getByRole('listitem').filter({ hasText: title }).first();
  await result.getByRole('button', { name: 'Like', exact: true }).click();
  await expect(page.getByTestId('interactions')).toHaveText('1');
  await expect(page.locator(`.feed-list article.card[data-item-id="${id}"]`)).toHaveCount(0);
});

test('details open as a keyboard-accessible dialog and count as a view', async ({ page }) => {
  await openReady(page);
  const first = cards(page).first();
  await first.getByRole('button', { name: /^Details:/ }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('interactions')).toHaveText('1');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('reset to the pretrained model drops fine-tuning and keeps the history', async ({ page }) => {
  await openReady(page);
  for (let i = 0; i < 3; i++) await act(page, (await feedIds(page))[0], 'Like');
  for (let attempt = 0; attempt < 4 && (await fineTuneSteps(page)) === 0; attempt++) {
    const report = await learnNow(page);
    if (report.accepted) await expect.poll(() => fineTuneSteps(page)).toBeGreaterThan(0);
  }
  expect(await fineTuneSteps(page)).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Reset to the pretrained model' }).click();
  await expect(page.getByTestId('finetune-steps')).toHaveText('0');
  await expect(page.getByTestId('interactions')).toHaveText('3');
});
