import { expect, test, type Page, type Worker } from '@playwright/test';
import { act, feedIds, feedRevision, fineTuneSteps, interactions, learnNow, openReady, waitForRerank } from './helpers';

/** The app's engine worker (not the WASM threads' helpers). */
function engineWorker(page: Page): Worker {
  const w = page.workers().filter((x) => /\/assets\/worker-[^/]*\.js$/.test(x.url()));
  expect(w).toHaveLength(1);
  return w[0];
}

async function engineTensors(page: Page): Promise<number> {
  return page.evaluate(async () => (await (window.localrec?.engine.memory() ?? Promise.reject(new Error('no hooks')))).numTensors);
}

/** A long fine-tuning run (many steps), so a test can act while it is in progress. */
const LONG_RUN = { steps: 120, learnAfter: 1000, tolerance: 1000, maxDrift: 1000, validateEvery: 40 };

test('the engine worker crashes mid-run: restarted, state reloaded from IndexedDB, the person sees what happened; nothing leaks', async ({ page }) => {
  await openReady(page, { policy: LONG_RUN });
  for (let i = 0; i < 3; i++) await act(page, (await feedIds(page))[0], 'Like');
  const tensorsBefore = await engineTensors(page);
  const old = engineWorker(page);
  // Start a run from the page and crash the worker (an uncaught error in it) while it trains.
  await page.evaluate(() => { void window.localrec?.engine.learn({ force: true }).catch((e: unknown) => { (window as unknown as { lostRun: unknown }).lostRun = String(e); }); });
  await expect(page.getByTestId('learning')).toContainText('fine-tuning: step', { timeout: 60_000 });
  const revision = await feedRevision(page);
  await old.evaluate(() => { setTimeout(() => { throw new Error('simulated crash: out of memory'); }); });
  const problem = page.getByTestId('engine-problem');
  await expect(problem).toHaveAttribute('data-code', 'WORKER_CRASHED');
  await expect(problem).toContainText(/simulated crash: out of memory.*restarted.*reloaded from this browser's storage/);
  await expect(page.getByTestId('learning')).toContainText(/failed: .*restarted/);
  await expect.poll(() => page.evaluate(() => (window as unknown as { lostRun?: string }).lostRun ?? '')).toMatch(/WORKER_CRASHED|stopped unexpectedly/);
  // A new worker, the history reloaded from IndexedDB, the feed re-ranked by the model.
  await expect.poll(() => page.workers().filter((x) => /\/assets\/worker-/.test(x.url())).length).toBe(1);
  expect(engineWorker(page)).not.toBe(old);
  await expect(page.getByTestId('interactions')).toHaveText('3');
  // The restart's snapshot of everything re-ranks the feed; act once the feed has settled on it.
  await waitForRerank(page, revision);
  await expect.poll(async () => {
    const first = JSON.stringify(await feedIds(page));
    await page.waitForTimeout(500);
    return first === JSON.stringify(await feedIds(page));
  }).toBe(true);
  await act(page, (await feedIds(page))[0], 'Like');
  expect(await interactions(page)).toBe(4);
  await act(page, (await feedIds(page))[0], 'Like');
  // The old worker's tensors went with it; the new one holds what one engine holds.
  expect(await engineTensors(page)).toBe(tensorsBefore);
  const report = await page.evaluate(async () => {
    const r = await window.localrec?.engine.learn({ force: true });
    return r ? { accepted: r.accepted, steps: r.steps } : null;
  });
  expect(report?.steps).toBeGreaterThan(0);
});

test('two tabs learning at once: one learns, the other follows', async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openReady(a, { policy: LONG_RUN });
  await openReady(b, { policy: LONG_RUN });
  for (let i = 0; i < 3; i++) await act(a, (await feedIds(a))[0], 'Like');
  // The other tab follows the history written here.
  await expect(b.getByTestId('interactions')).toHaveText('3');
  const [ra, rb] = await Promise.all([learnNow(a), learnNow(b)]);
  const ran = [ra, rb].filter((r) => r.steps > 0);
  const waited = [ra, rb].filter((r) => /another tab is training/.test(r.reason));
  expect(ran).toHaveLength(1);
  expect(waited).toHaveLength(1);
  expect(ran[0].accepted).toBe(true);
  // Both tabs end on the one checkpoint, and rank alike.
  await expect.poll(() => fineTuneSteps(a)).toBe(ran[0].steps);
  await expect.poll(() => fineTuneSteps(b)).toBe(ran[0].steps);
  await expect.poll(async () => JSON.stringify(await feedIds(b))).toBe(JSON.stringify(await feedIds(a)));
});
