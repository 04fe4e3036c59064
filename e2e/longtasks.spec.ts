import { expect, test } from '@playwright/test';
import { act, feedIds, learnNow, mechanismPolicy, MODELS, openReady } from './helpers';

declare global {
  interface Window {
    longTasks?: { start: number; duration: number }[];
  }
}

for (const model of MODELS) {
  test(`the main thread is never blocked > 100 ms during fine-tuning (${model})`, async ({ page }) => {
    await page.addInitScript(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longTasks!.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await openReady(page, { model, policy: mechanismPolicy(model) });
    for (let i = 0; i < 3; i++) await act(page, (await feedIds(page))[0], 'Like');
    const t0 = await page.evaluate(() => performance.now());
    let steps = 0;
    const search = page.getByLabel('Find a title you like');
    for (let run = 0; run < 3; run++) {
      // Use the page while training runs in the worker: typing must stay responsive.
      const training = learnNow(page);
      await search.fill('');
      await search.pressSequentially('the', { delay: 30 });
      steps += (await training).steps;
    }
    const t1 = await page.evaluate(() => performance.now());
    expect(steps).toBeGreaterThan(0);
    const during = await page.evaluate(([from, to]) => (window.longTasks ?? []).filter((t) => t.start + t.duration >= from && t.start <= to), [t0, t1]);
    const worst = Math.max(0, ...during.map((t) => t.duration));
    test.info().annotations.push({ type: 'longest main-thread task during fine-tuning', description: `${worst} ms over ${steps} kept steps` });
    expect(worst, JSON.stringify(during)).toBeLessThanOrEqual(100);
  });
}
