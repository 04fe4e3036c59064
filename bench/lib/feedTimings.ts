/**
 * Feed timings taken inside the app page (`?hooks=1`), for `bench/browser.ts`. Every figure ends
 * when the DOM holds the new ranking (a MutationObserver on the feed, so a figure is not rounded
 * up to the next animation frame as rAF polling would do); the browser paints it in the next frame.
 *
 * Each measured action starts 200 ms after the previous one settled (a person's pace; back
 * to back, a measure would also time the previous action's aftermath, such as storing a setting).
 * Page functions hold no named inner functions: tsx would wrap them in a helper the page lacks.
 */
import type { Page } from 'playwright-core';

/** Pause before each measured action: the next action of a person comes after the feed settled. */
const PAUSE_MS = 200;
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, PAUSE_MS));

/** Click "Like" / "Not interested" on the first card; ms until the feed shows the new ranking (one forward pass). */
export async function interactionRerankMs(page: Page, n: number): Promise<number[]> {
  await page.evaluate(() => window.localrec!.engine.setSettings({ autoLearn: false }));
  await page.waitForSelector('.feed-list[data-ready="true"] article.card');
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await pause();
    times.push(await page.evaluate(async (action) => {
      const section = document.querySelector<HTMLElement>('section.feed')!;
      const list = section.querySelector<HTMLElement>('.feed-list')!;
      const before = Number(list.dataset.revision);
      const button = [...list.querySelectorAll<HTMLButtonElement>('article.card button')].find((b) => b.textContent === action)!;
      return new Promise<number>((resolve) => {
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (Number(list.dataset.revision) > before && section.getAttribute('aria-busy') !== 'true') {
            obs.disconnect();
            resolve(performance.now() - t0);
          }
        });
        obs.observe(section, { attributes: true, childList: true, subtree: true });
        button.click();
      });
    }, i % 3 === 2 ? 'Not interested' : 'Like'));
  }
  return times;
}

/**
 * Re-ranks that change no history, in turn: the discover slider to another stop, "Show more"
 * (12 more cards), the "Show seen items" toggle. ms from the input until the feed shows the result.
 */
export async function noHistoryRerankMs(page: Page, n: number): Promise<{ all: number[]; slider: number[]; showMore: number[]; seenToggle: number[] }> {
  await page.waitForSelector('.feed-list[data-ready="true"] article.card');
  const out = { all: [] as number[], slider: [] as number[], showMore: [] as number[], seenToggle: [] as number[] };
  for (let i = 0; i < n; i++) {
    const kind = (['slider', 'showMore', 'seenToggle'] as const)[i % 3];
    await pause();
    const ms = await page.evaluate(async ({ kind, i }) => {
      const section = document.querySelector<HTMLElement>('section.feed')!;
      const list = section.querySelector<HTMLElement>('.feed-list')!;
      const slider = section.querySelector<HTMLInputElement>('.discover input[type="range"]')!;
      const seen = section.querySelector<HTMLInputElement>('.toggle input[type="checkbox"]')!;
      const more = section.querySelector<HTMLButtonElement>('button.show-more')!;
      const stops = [0, 0.25, 0.5, 0.75, 1].filter((v) => String(v) !== list.dataset.discover);
      const target = stops[i % stops.length];
      const cards = list.querySelectorAll('li').length;
      const wantSeen = String(!seen.checked);
      return new Promise<number>((resolve) => {
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          const idle = section.getAttribute('aria-busy') !== 'true';
          const shown = kind === 'slider' ? list.dataset.discover === String(target)
            : kind === 'showMore' ? list.querySelectorAll('li').length >= cards + 12
              : list.dataset.includeSeen === wantSeen;
          if (idle && shown) {
            obs.disconnect();
            resolve(performance.now() - t0);
          }
        });
        obs.observe(section, { attributes: true, childList: true, subtree: true });
        if (kind === 'slider') {
          Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(slider, String(target));
          slider.dispatchEvent(new Event('input', { bubbles: true }));
        } else if (kind === 'showMore') {
          more.click();
        } else {
          seen.click();
        }
      });
    }, { kind, i });
    out.all.push(ms);
    out[kind].push(ms);
  }
  return out;
}

/** One triggered fine-tuning run and what it led to. */
export interface LearnRun {
  accepted: boolean;
  steps: number;
  reason: string;
  /** learn() called -> adapted feed in the DOM (accepted runs), or -> the run's report (rolled back). */
  ms: number;
  /** The engine's own wall time of the run (`LearnReport.ms`). */
  runMs: number;
}

/**
 * Like the top item, wait for its re-rank, then trigger `learn({ force: true })` and time until
 * the feed shows the ranking from the new weights (accepted runs); a rolled-back run changes no
 * weights, so its figure is the time to its report (what the rollback cost).
 */
export async function learnToFeedRuns(page: Page, runs: number): Promise<LearnRun[]> {
  await page.evaluate(() => window.localrec!.engine.setSettings({ autoLearn: false }));
  const out: LearnRun[] = [];
  for (let i = 0; i < runs; i++) {
    out.push(await page.evaluate(async () => {
      const engine = window.localrec!.engine;
      const section = document.querySelector<HTMLElement>('section.feed')!;
      const list = section.querySelector<HTMLElement>('.feed-list')!;
      const [top] = await engine.recommend({ count: 1 });
      const beforeLike = Number(list.dataset.revision);
      await engine.record({ itemId: top.itemId, type: 'like', at: Date.now() });
      while (Number(list.dataset.revision) <= beforeLike || section.getAttribute('aria-busy') === 'true') {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const before = Number(list.dataset.revision);
      let shownAt = 0;
      const obs = new MutationObserver(() => {
        if (!shownAt && Number(list.dataset.revision) > before && section.getAttribute('aria-busy') !== 'true') shownAt = performance.now();
      });
      obs.observe(section, { attributes: true, childList: true, subtree: true });
      const t0 = performance.now();
      const report = await engine.learn({ force: true });
      const accepted = report.accepted && report.steps > 0;
      if (accepted) {
        while (!shownAt) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      obs.disconnect();
      return { accepted, steps: report.steps, reason: report.reason, ms: (accepted ? shownAt : performance.now()) - t0, runMs: report.ms };
    }));
  }
  return out;
}
