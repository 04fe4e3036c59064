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

/**
 * Two figures per action: `inView` ends when the cards in view show the result (the app renders
 * a re-ranked list visible-first: `src/ui/useVisibleFirst.ts`, attributes `data-view-*`), `whole`
 * when every card of the list does (`data-revision` etc., `data-complete`, `aria-busy` false).
 */
export interface FeedTimes {
  inView: number[];
  whole: number[];
}

/** Scrolls `selector` into view as a person would before using it, then lets the feed's IntersectionObserver see it. */
async function scrollTo(page: Page, selector: string): Promise<void> {
  await page.evaluate((sel) => document.querySelector(sel)?.scrollIntoView({ block: 'center' }), selector);
  await pause();
}

/** Click "Like" / "Not interested" on the first card; ms until the feed shows the new ranking (one forward pass). */
export async function interactionRerankMs(page: Page, n: number): Promise<FeedTimes> {
  await page.evaluate(() => window.localrec!.engine.setSettings({ autoLearn: false }));
  await page.waitForSelector('.feed-list[data-ready="true"] article.card');
  const out: FeedTimes = { inView: [], whole: [] };
  for (let i = 0; i < n; i++) {
    await scrollTo(page, '.feed-list article.card');
    const r = await page.evaluate(async (action) => {
      const section = document.querySelector<HTMLElement>('section.feed')!;
      const list = section.querySelector<HTMLElement>('.feed-list')!;
      const before = Number(list.dataset.revision);
      const button = [...list.querySelectorAll<HTMLButtonElement>('article.card button')].find((b) => b.textContent === action)!;
      return new Promise<{ inView: number; whole: number }>((resolve) => {
        let inView = -1;
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          if (inView < 0 && Number(list.dataset.viewRevision) > before && list.dataset.loading !== 'true') inView = performance.now() - t0;
          if (Number(list.dataset.revision) > before && list.dataset.complete === 'true' && section.getAttribute('aria-busy') !== 'true') {
            obs.disconnect();
            const whole = performance.now() - t0;
            resolve({ inView: inView < 0 ? whole : inView, whole });
          }
        });
        obs.observe(section, { attributes: true, childList: true, subtree: true });
        button.click();
      });
    }, i % 3 === 2 ? 'Not interested' : 'Like');
    out.inView.push(r.inView);
    out.whole.push(r.whole);
  }
  return out;
}

/** No-history re-rank times, in view (all kinds and by kind) and for the whole list. */
export interface NoHistoryTimes {
  all: number[];
  slider: number[];
  showMore: number[];
  seenToggle: number[];
  whole: number[];
}

/**
 * Re-ranks that change no history, in turn: the discover slider to another stop, "Show more"
 * (12 more cards), the "Show seen items" toggle, each scrolled into view first as a person would.
 * ms from the input until the cards in view show the result (`all` and by kind) and until the
 * whole list does (`whole`).
 */
export async function noHistoryRerankMs(page: Page, n: number): Promise<NoHistoryTimes> {
  await page.waitForSelector('.feed-list[data-ready="true"] article.card');
  const out: NoHistoryTimes = { all: [], slider: [], showMore: [], seenToggle: [], whole: [] };
  for (let i = 0; i < n; i++) {
    const kind = (['slider', 'showMore', 'seenToggle'] as const)[i % 3];
    await scrollTo(page, kind === 'showMore' ? 'section.feed button.show-more' : 'section.feed .feed-header');
    const r = await page.evaluate(async ({ kind, i }) => {
      const section = document.querySelector<HTMLElement>('section.feed')!;
      const list = section.querySelector<HTMLElement>('.feed-list')!;
      const slider = section.querySelector<HTMLInputElement>('.discover input[type="range"]')!;
      const seen = section.querySelector<HTMLInputElement>('.toggle input[type="checkbox"]')!;
      const more = section.querySelector<HTMLButtonElement>('button.show-more')!;
      const stops = [0, 0.25, 0.5, 0.75, 1].filter((v) => String(v) !== list.dataset.discover);
      const target = stops[i % stops.length];
      const cards = list.querySelectorAll('li').length;
      const wantSeen = String(!seen.checked);
      return new Promise<{ inView: number; whole: number }>((resolve) => {
        let inView = -1;
        const t0 = performance.now();
        const obs = new MutationObserver(() => {
          const d = list.dataset;
          if (inView < 0 && d.loading !== 'true') {
            const shown = kind === 'slider' ? d.viewDiscover === String(target)
              : kind === 'showMore' ? list.querySelectorAll('li').length >= cards + 12
                : d.viewIncludeSeen === wantSeen;
            if (shown) inView = performance.now() - t0;
          }
          const idle = section.getAttribute('aria-busy') !== 'true' && d.complete === 'true';
          const whole = kind === 'slider' ? d.discover === String(target)
            : kind === 'showMore' ? list.querySelectorAll('li article.card').length >= cards + 12
              : d.includeSeen === wantSeen;
          if (idle && whole) {
            obs.disconnect();
            const ms = performance.now() - t0;
            resolve({ inView: inView < 0 ? ms : inView, whole: ms });
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
    out.all.push(r.inView);
    out[kind].push(r.inView);
    out.whole.push(r.whole);
  }
  return out;
}

/** One triggered fine-tuning run and what it led to. */
export interface LearnRun {
  accepted: boolean;
  steps: number;
  reason: string;
  /** learn() called -> the first adapted feed in the DOM (accepted runs), or -> the run's report (rolled back). */
  ms: number;
  /** learn() called -> the feed from the run's final weights in the DOM (accepted runs; = ms when the first was final). */
  finalMs: number | null;
  /** The engine's own wall time of the run, checkpoint write included (`LearnReport.ms`). */
  runMs: number;
}

/**
 * Like the top item, wait for its re-rank, then trigger `learn({ force: true })` and time until
 * the feed shows a ranking from new weights: the first adapted feed (the run's first validated
 * step, served at once) and the final one. A rolled-back run changes no weights, so its figure is
 * the time to its report (what the rollback cost).
 */
export async function learnToFeedRuns(page: Page, runs: number): Promise<LearnRun[]> {
  await page.evaluate(() => window.localrec!.engine.setSettings({ autoLearn: false }));
  const out: LearnRun[] = [];
  for (let i = 0; i < runs; i++) {
    await pause();
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
      let seen = Number(list.dataset.revision);
      const shown: number[] = [];
      const obs = new MutationObserver(() => {
        const revision = Number(list.dataset.revision);
        if (revision > seen && section.getAttribute('aria-busy') !== 'true') {
          seen = revision;
          shown.push(performance.now());
        }
      });
      obs.observe(section, { attributes: true, childList: true, subtree: true });
      const t0 = performance.now();
      const report = await engine.learn({ force: true });
      const accepted = report.accepted && report.steps > 0;
      if (accepted) {
        // The final weights were published before learn() resolved: wait for their feed.
        while (shown.length === 0 || section.getAttribute('aria-busy') === 'true') await new Promise((resolve) => setTimeout(resolve, 2));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      obs.disconnect();
      const end = performance.now();
      return {
        accepted,
        steps: report.steps,
        reason: report.reason,
        ms: (accepted ? shown[0] : end) - t0,
        finalMs: accepted ? shown[shown.length - 1] - t0 : null,
        runMs: report.ms,
      };
    }));
  }
  return out;
}

/**
 * What ended a fine-tuning run that kept nothing, by the policy's reason: the held-out item's
 * validation loss got worse, the forgetting guard, an abort, a data change while training, or a
 * run that did not start (too little history, another tab). The drift cap never ends a run: it
 * pulls the weights back within the cap at every step.
 */
export function rollbackTrigger(reason: string): string {
  if (/held-out item got worse/.test(reason)) return 'validation drop (held-out item got worse)';
  if (/no step improved/.test(reason)) return 'validation drop (no step improved)';
  if (/other people's predictions moved too far/.test(reason)) return 'forgetting guard';
  if (/aborted/.test(reason)) return 'aborted';
  if (/^discarded/.test(reason)) return 'data changed while training';
  return `did not run: ${reason.replace(/\d+/g, '#')}`;
}

/**
 * Where an interaction's re-rank time goes, seen from the page: `record` round trip (worker
 * call, IndexedDB write, snapshot), the feed's inputs (worker call; the forward pass started
 * during the write), ranking on the page, and a re-rank with no history change (page only).
 * The app reacts to the same interactions meanwhile, as it does for a person.
 */
export async function serveBreakdown(page: Page, n: number): Promise<{ recordMs: number[]; inputsMs: number[]; pageRankMs: number[] }> {
  await page.evaluate(() => window.localrec!.engine.setSettings({ autoLearn: false }));
  const out = { recordMs: [] as number[], inputsMs: [] as number[], pageRankMs: [] as number[] };
  for (let i = 0; i < n; i++) {
    await pause();
    const r = await page.evaluate(async (i) => {
      const engine = window.localrec!.engine;
      const [top] = await engine.recommend({ count: 1, offset: 3 });
      const t0 = performance.now();
      await engine.record({ itemId: top.itemId, type: i % 3 === 2 ? 'dislike' : 'like', at: Date.now() });
      const t1 = performance.now();
      await engine.recommend({ count: 12 });
      const t2 = performance.now();
      await engine.recommend({ count: 12, discover: [0, 0.5, 1][i % 3] });
      const t3 = performance.now();
      return { recordMs: t1 - t0, inputsMs: t2 - t1, pageRankMs: t3 - t2 };
    }, i);
    out.recordMs.push(r.recordMs);
    out.inputsMs.push(r.inputsMs);
    out.pageRankMs.push(r.pageRankMs);
  }
  return out;
}
