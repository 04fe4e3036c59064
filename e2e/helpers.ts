import { existsSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';

/** Models the app is tested with: the tiny generated one always, the shipped default when present. */
export const MODELS: string[] = ['tiny-test', ...(existsSync('public/models/ml-1m-sasrec/manifest.json') ? ['ml-1m-sasrec'] : [])];

export interface AppOptions {
  model?: string;
  device?: 'auto' | 'webgpu' | 'wasm' | 'cpu';
  hooks?: boolean;
  /** Fine-tuning policy overrides (`?policy=`, needs hooks). */
  policy?: Record<string, number | string>;
  /** Engine fault-injection hooks (`?testing=`, needs hooks). */
  testing?: Record<string, unknown>;
}

/**
 * The shipped model's safeguard rightly rolls back a run that makes the person's newest item less
 * likely; tests of the mechanism itself (fine-tune, checkpoint, reload) widen its tolerance there.
 */
export function mechanismPolicy(model: string): AppOptions['policy'] {
  return model === 'tiny-test' ? undefined : { tolerance: 1000 };
}

export function appUrl({ model = 'tiny-test', device, hooks = true, policy, testing }: AppOptions = {}): string {
  const params = new URLSearchParams({ model });
  if (device) params.set('device', device);
  if (policy) params.set('policy', JSON.stringify(policy));
  if (testing) params.set('testing', JSON.stringify(testing));
  if (hooks) params.set('hooks', '1');
  return `/?${params}`;
}

/** Opens the app and waits until the model is ready (backend shown in the status panel). */
export async function openReady(page: Page, options: AppOptions = {}): Promise<string> {
  await page.goto(appUrl(options));
  const backend = page.getByTestId('backend');
  await expect(backend).toHaveText(/^(webgpu|wasm|cpu)$/, { timeout: 90_000 });
  await expect(page.locator('.feed-list[data-ready="true"] article.card').first()).toBeVisible();
  return (await backend.textContent()) ?? '';
}

export function cards(page: Page): Locator {
  return page.locator('.feed-list article.card');
}

/** Item ids of the feed, in order. */
export async function feedIds(page: Page): Promise<number[]> {
  const ids = await cards(page).evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-item-id'))));
  return ids;
}

/** Revision of the ranking the feed shows (bumps on every re-rank). */
export async function feedRevision(page: Page): Promise<number> {
  return Number(await page.locator('.feed-list').getAttribute('data-revision'));
}

/** Waits until the feed shows a ranking computed after revision `after` and is not re-ranking. */
export async function waitForRerank(page: Page, after: number): Promise<void> {
  await expect.poll(() => feedRevision(page)).toBeGreaterThan(after);
  await expect(page.locator('section.feed')).toHaveAttribute('aria-busy', 'false');
}

/** Clicks an action on the card of an item and waits for the feed to re-rank without it. */
export async function act(page: Page, itemId: number, action: 'Like' | 'Not interested'): Promise<void> {
  const before = await interactions(page);
  const revision = await feedRevision(page);
  await page.locator(`article.card[data-item-id="${itemId}"]`).getByRole('button', { name: action, exact: true }).click();
  await expect(page.getByTestId('interactions')).toHaveText(String(before + 1));
  await waitForRerank(page, revision);
  await expect(page.locator(`.feed-list article.card[data-item-id="${itemId}"]`)).toHaveCount(0);
}

export async function interactions(page: Page): Promise<number> {
  return Number(await page.getByTestId('interactions').textContent());
}

export async function fineTuneSteps(page: Page): Promise<number> {
  return Number(await page.getByTestId('finetune-steps').textContent());
}

/** Runs fine-tuning now through the test hook (same call the background scheduler makes). */
export async function learnNow(page: Page): Promise<{ steps: number; accepted: boolean; backend: string; reason: string }> {
  return page.evaluate(async () => {
    const engine = window.localrec?.engine;
    if (!engine) throw new Error('open the app with ?hooks=1');
    const r = await engine.learn({ force: true });
    return { steps: r.steps, accepted: r.accepted, backend: r.backend, reason: r.reason };
  });
}

/** Names of IndexedDB databases and Cache API caches of the page's origin. */
export async function storedContainers(page: Page): Promise<{ databases: string[]; caches: string[] }> {
  return page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name ?? ''),
    caches: await caches.keys(),
  }));
}
