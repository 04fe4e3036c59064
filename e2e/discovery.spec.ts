import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_DISCOVER } from 'localrec';
import { discoverLabel } from '../src/ui/discoverLabel';
import { act, appUrl, cards, feedIds, interactions, MODELS, openReady } from './helpers';

const onboarding = (page: Page) => page.getByRole('region', { name: 'Pick a few titles you like' });
const main = (page: Page) => page.locator('main#main');

/** Genres of the first `n` feed cards. */
async function shownGenres(page: Page, n: number): Promise<string[][]> {
  const all = await page.locator('.feed-list article.card .card-meta').evaluateAll((els) => els.map((el) => el.getAttribute('data-genres') ?? ''));
  return all.slice(0, n).map((g) => (g ? g.split('|') : []));
}

/** Item ids of the first `n` cards of the feed. */
async function shownIds(page: Page, n: number): Promise<number[]> {
  const all = await page.locator('.feed-list article.card').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-item-id'))));
  return all.slice(0, n);
}

/** Moves the discover slider with the keyboard and waits for the feed ranked with that setting. */
async function setDiscover(page: Page, key: 'Home' | 'End', value: string): Promise<void> {
  const slider = page.getByRole('slider', { name: 'Familiar ↔ Discover' });
  await slider.focus();
  await page.keyboard.press(key);
  await expect(slider).toHaveValue(value);
  await expect(page.locator('.feed-list')).toHaveAttribute('data-discover', value);
  await expect(page.locator('section.feed')).toHaveAttribute('aria-busy', 'false');
}

test('onboarding appears on a fresh profile, seeds the first personal feed, and does not come back', async ({ page }) => {
  await openReady(page);
  await expect(main(page)).toHaveAttribute('data-onboarding', 'open');
  await expect(onboarding(page)).toBeVisible();
  const showFeed = page.getByRole('button', { name: 'Show my feed' });
  await expect(showFeed).toBeDisabled();
  await expect(page.getByRole('heading', { level: 2, name: 'Popular right now' })).toBeVisible();

  const tiles = onboarding(page).getByRole('list', { name: 'Well-known titles' }).getByRole('button');
  // The grid is varied: at most two tiles per primary genre (tiny-test has 6 genres).
  expect(await tiles.count()).toBe(12);
  const picks: number[] = [];
  for (let i = 0; i < 3; i++) {
    const tile = tiles.nth(i * 2);
    await tile.click();
    await expect(tile).toHaveAttribute('aria-pressed', 'true');
    picks.push(Number(await tile.getAttribute('data-item-id')));
  }
  await expect(showFeed).toBeEnabled();
  await showFeed.click();

  await expect(main(page)).toHaveAttribute('data-onboarding', 'done');
  await expect(onboarding(page)).toHaveCount(0);
  await expect(page.getByTestId('interactions')).toHaveText('3');
  await expect(page.getByRole('heading', { level: 2, name: 'For you' })).toBeVisible();
  await expect(page.locator('.feed-list')).toHaveAttribute('data-source', 'model');
  await expect(page.locator('section.feed')).toHaveAttribute('aria-busy', 'false');
  const ids = await feedIds(page);
  expect(ids.length).toBeGreaterThanOrEqual(8);
  for (const id of picks) expect(ids).not.toContain(id);

  await page.reload();
  await openReady(page);
  await expect(main(page)).toHaveAttribute('data-onboarding', 'done');
  await expect(onboarding(page)).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 2, name: 'For you' })).toBeVisible();
  expect(await interactions(page)).toBe(3);
});

test('onboarding shows while the model loads; skipping it records nothing and hides it for good', async ({ page }) => {
  // Hold the weights back: onboarding needs only stored data and the catalog, not the model.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.context().route('**/models/tiny-test/weights.bin', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(appUrl());
  await expect(onboarding(page)).toBeVisible();
  await expect(page.getByTestId('backend')).toHaveText('loading…');
  await expect(cards(page).first()).toBeVisible();
  release();
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm|cpu)$/, { timeout: 90_000 });
  await expect(main(page)).toHaveAttribute('data-onboarding', 'open');
  await onboarding(page).getByRole('button', { name: 'Skip' }).click();
  await expect(main(page)).toHaveAttribute('data-onboarding', 'done');
  await expect(onboarding(page)).toHaveCount(0);
  expect(await interactions(page)).toBe(0);
  await expect(page.getByRole('heading', { level: 2, name: 'Popular right now' })).toBeVisible();

  await page.reload();
  await openReady(page);
  await expect(main(page)).toHaveAttribute('data-onboarding', 'done');
  await expect(onboarding(page)).toHaveCount(0);
});

for (const model of MODELS) {
  test(`the discover control widens the genres of the feed (model ${model})`, async ({ page }) => {
    await openReady(page, { model });
    // A one-genre history: the five most popular titles whose first genre is Horror. Background
    // fine-tuning is off so both ends of the control re-rank the same model's scores.
    const seeded = await page.evaluate(async () => {
      const engine = window.localrec?.engine;
      if (!engine) throw new Error('open the app with ?hooks=1');
      await engine.setSettings({ autoLearn: false });
      const horror = (await engine.catalog()).filter((it) => it.genres[0] === 'Horror').sort((a, b) => b.popularity - a.popularity || a.id - b.id);
      const ids = horror.slice(0, 5).map((it) => it.id);
      for (const [i, itemId] of ids.entries()) await engine.record({ itemId, type: 'like', at: Date.now() + i });
      return ids;
    });
    expect(seeded).toHaveLength(5);
    await expect(page.getByTestId('interactions')).toHaveText('5');
    await expect(page.getByRole('heading', { level: 2, name: 'For you' })).toBeVisible();
    await expect(page.getByTestId('discover-words')).toHaveText(discoverLabel(DEFAULT_DISCOVER)); // the stored default

    const N = 10;
    await setDiscover(page, 'Home', '0');
    await expect(page.getByTestId('discover-words')).toHaveText('Familiar');
    const familiar = await shownGenres(page, N);
    const familiarIds = await shownIds(page, N);
    await setDiscover(page, 'End', '1');
    await expect(page.getByTestId('discover-words')).toHaveText('Discover');
    const discover = await shownGenres(page, N);
    const discoverIds = await shownIds(page, N);
    // Novelty: mean self-information -log2(popularity share) of the shown items, from the catalog's counts.
    const novelty = await page.evaluate(async (lists) => {
      const items = await window.localrec!.engine.catalog();
      const pop = new Map(items.map((it) => [it.id, it.popularity]));
      const total = items.reduce((a, it) => a + it.popularity, 0);
      return lists.map((ids) => ids.reduce((a, id) => a - Math.log2(Math.max(1, pop.get(id) ?? 0) / total), 0) / ids.length);
    }, [familiarIds, discoverIds]);

    const distinct = (list: string[][]) => new Set(list.flat()).size;
    // Intra-list diversity: mean pairwise genre distance (1 - Jaccard) of the shown cards.
    const ild = (list: string[][]) => {
      let sum = 0;
      let pairs = 0;
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const common = list[i].filter((g) => list[j].includes(g)).length;
          const union = list[i].length + list[j].length - common;
          sum += union === 0 ? 0 : 1 - common / union;
          pairs++;
        }
      return sum / pairs;
    };
    const horrorShare = (list: string[][]) => list.filter((g) => g.includes('Horror')).length / list.length;
    const describe = (list: string[][]) => `${distinct(list)} genres, ILD ${ild(list).toFixed(3)}, Horror ${horrorShare(list)}`;
    console.log(`${model}, first ${N} cards: familiar ${describe(familiar)}, novelty ${novelty[0].toFixed(2)} bits; discover ${describe(discover)}, novelty ${novelty[1].toFixed(2)} bits`);
    expect(familiar).toHaveLength(N);
    expect(familiarIds).toHaveLength(N);
    expect(discover).toHaveLength(N);
    // More genres and less familiar titles on the first screen at the discover end. (ILD and the
    // seeded genre's share are logged, not asserted: for this one history the shipped model's
    // familiar end is already varied, and the novelty boost brings lesser-known Horror titles, so
    // ILD falls; over all 6,040 test people ILD rises with the setting, docs/DISCOVERY.md.)
    expect(distinct(discover)).toBeGreaterThan(distinct(familiar));
    expect(novelty[1]).toBeGreaterThan(novelty[0]);

    // The setting is stored: a reload ranks at the discover end again.
    await page.reload();
    await openReady(page, { model });
    await expect(page.getByRole('slider', { name: 'Familiar ↔ Discover' })).toHaveValue('1');
    await expect(page.getByTestId('discover-words')).toHaveText('Discover');
  });
}

test('"why this?" lists titles from the history, and the taste profile charts them', async ({ page }) => {
  await openReady(page);
  const liked: string[] = [];
  for (let i = 0; i < 3; i++) {
    const first = cards(page).first();
    liked.push((await first.locator('.card-title').textContent()) ?? '');
    await act(page, (await feedIds(page))[0], 'Like');
  }
  await cards(page).first().getByRole('button', { name: 'Why this?' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('why-summary')).not.toBeEmpty();
  const listed = dialog.getByRole('list', { name: 'Titles that drove this pick' }).getByRole('listitem');
  await expect(listed.first()).toBeVisible();
  const texts = await listed.allTextContents();
  expect(texts.some((t) => liked.some((title) => t.startsWith(title)))).toBe(true);
  await expect(listed.first()).toContainText('%');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  const taste = page.getByRole('region', { name: 'Your taste over time' });
  await expect(taste.getByRole('img')).toBeVisible();
  await taste.getByText('Show as a table').click();
  await expect(taste.getByRole('row', { name: /^Interactions 1–3/ })).toBeVisible();
});

test('"why this?" with an empty history says the pick is popular', async ({ page }) => {
  await openReady(page);
  await cards(page).first().getByRole('button', { name: 'Why this?' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId('why-summary')).toHaveText('Popular with many people.');
  await expect(dialog).toContainText('No title in your history points at this one');
  await expect(dialog.getByRole('list')).toHaveCount(0);
});
