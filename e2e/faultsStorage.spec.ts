import { expect, test, type Page } from '@playwright/test';
import { CHECKPOINT_QUOTA, DENY_INDEXEDDB, injectIntoWorker } from './faults/injectWorker';
import { act, cards, feedIds, fineTuneSteps, interactions, learnNow, openReady } from './helpers';

/** Tensors held by the engine in its worker now. */
async function engineTensors(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const engine = window.localrec?.engine;
    if (!engine) throw new Error('open the app with ?hooks=1');
    return (await engine.memory()).numTensors;
  });
}

/** Likes the first `n` cards of the feed, one after another. */
async function likeFirst(page: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await act(page, (await feedIds(page))[0], 'Like');
}

/** Background learning off (it would start after 5 likes): each test runs fine-tuning itself. */
const NO_BACKGROUND = { learnAfter: 1000 };

test('IndexedDB unavailable: the app runs in memory and says so; likes, re-ranks and learning work; nothing leaks', async ({ page, context }) => {
  // Storage forbidden in the page and in the engine worker (as a browser that blocks site data does).
  await context.addInitScript(DENY_INDEXEDDB);
  await injectIntoWorker(context, DENY_INDEXEDDB);
  await openReady(page, { policy: NO_BACKGROUND });
  await expect(page.getByTestId('storage')).toHaveAttribute('data-mode', 'memory');
  await expect(page.getByTestId('storage')).toHaveText(/in memory only/);
  await expect(page.getByTestId('engine-notes')).toContainText(/kept in memory only.*does not allow this site to store data/);
  await expect(page.getByTestId('engine-problem')).toHaveAttribute('data-code', 'STORAGE_UNAVAILABLE');
  await expect(page.getByTestId('storage-memory')).toBeVisible();
  await likeFirst(page, 2);
  const tensors = await engineTensors(page);
  await likeFirst(page, 1);
  expect(await engineTensors(page)).toBe(tensors);
  const report = await learnNow(page);
  expect(report.accepted).toBe(true);
  await expect.poll(() => fineTuneSteps(page)).toBeGreaterThan(0);
  expect(await interactions(page)).toBe(3);
});

test('storage quota exceeded while writing a checkpoint: history kept, checkpoint skipped, a note shown', async ({ page, context }) => {
  await injectIntoWorker(context, CHECKPOINT_QUOTA);
  await openReady(page, { policy: NO_BACKGROUND });
  await likeFirst(page, 3);
  const worker = page.workers().find((w) => /\/assets\/worker-[^/]*\.js$/.test(w.url()));
  if (!worker) throw new Error('no engine worker');
  await worker.evaluate(() => { (self as unknown as { __storageFull: boolean }).__storageFull = true; });
  const report = await learnNow(page);
  expect(report.accepted).toBe(false);
  expect(report.reason).toMatch(/storage is full/);
  await expect(page.getByTestId('engine-problem')).toHaveAttribute('data-code', 'STORAGE_FULL');
  await expect(page.getByTestId('engine-notes')).toContainText(/could not be saved: this site's storage is full/);
  await expect(page.getByTestId('learning')).toContainText(/not kept: storage is full/);
  expect(await fineTuneSteps(page)).toBe(0);
  await likeFirst(page, 1);
  expect(await interactions(page)).toBe(4);
  // Space again: the next run is kept and the note goes; a reload finds the history and the checkpoint.
  await worker.evaluate(() => { (self as unknown as { __storageFull: boolean }).__storageFull = false; });
  expect((await learnNow(page)).accepted).toBe(true);
  await expect(page.getByTestId('engine-notes')).toHaveCount(0);
  const steps = await fineTuneSteps(page);
  expect(steps).toBeGreaterThan(0);
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm|cpu)$/, { timeout: 90_000 });
  await expect(page.getByTestId('interactions')).toHaveText('4');
  await expect.poll(() => fineTuneSteps(page)).toBe(steps);
});

/** How each mechanism's checkpoint is damaged (every array truncated to 5 values), and the note it gives. */
const DAMAGE = [
  { mechanism: 'a LoRA adapter (the default)', policy: NO_BACKGROUND, field: 'adapter', note: /is damaged \(the lora adapter does not fit this model: "\S+" has 5 values, needs \d+\), so the pretrained model is used/ },
  { mechanism: 'the model weights', policy: { ...NO_BACKGROUND, adapter: 'none' }, field: 'weights', note: /is damaged \(weights\.\S+ has 5 values, the model needs \d+\), so the pretrained model is used/ },
] as const;

for (const d of DAMAGE) {
  test(`a corrupted checkpoint in IndexedDB (${d.mechanism}): pretrained weights used, a note shown, history kept, nothing leaks`, async ({ page }) => {
    await openReady(page, { policy: d.policy });
    await likeFirst(page, 3);
    expect((await learnNow(page)).accepted).toBe(true);
    await expect.poll(() => fineTuneSteps(page)).toBeGreaterThan(0);
    // Damage what is stored the way a bad disk or a bad extension might: truncate every array.
    const truncated = await page.evaluate(async (field) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('localrec:default');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      let count = 0;
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('checkpoints', 'readwrite');
        const store = tx.objectStore('checkpoints');
        const get = store.get('current');
        get.onsuccess = () => {
          const c = get.result as { weights: Record<string, Float32Array>; adapter?: { tensors: Record<string, Float32Array> } };
          const arrays = field === 'adapter' ? c.adapter?.tensors ?? {} : c.weights;
          for (const k of Object.keys(arrays)) { arrays[k] = arrays[k].subarray(0, 5); count++; }
          store.put(c, 'current');
        };
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
      return count;
    }, d.field);
    expect(truncated).toBeGreaterThan(0);
    await page.reload();
    await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm|cpu)$/, { timeout: 90_000 });
    await expect(page.getByTestId('engine-problem')).toHaveAttribute('data-code', 'CHECKPOINT_CORRUPT');
    await expect(page.getByTestId('engine-notes')).toContainText(d.note);
    await expect(page.getByTestId('interactions')).toHaveText('3');
    expect(await fineTuneSteps(page)).toBe(0);
    await likeFirst(page, 1);
    const tensors = await engineTensors(page);
    await likeFirst(page, 1);
    expect(await engineTensors(page)).toBe(tensors);
    // The next run replaces the damaged checkpoint and the note goes.
    expect((await learnNow(page)).accepted).toBe(true);
    await expect(page.getByTestId('engine-notes')).toHaveCount(0);
  });
}
