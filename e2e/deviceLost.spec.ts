import { expect, test, type Page } from '@playwright/test';
import { act, feedIds, interactions, learnNow, openReady } from './helpers';

/**
 * The WebGPU device is lost in the middle of fine-tuning (the engine's test hook calls
 * GPUDevice.destroy() after a step, as a driver reset would). tfjs cannot recover a lost device:
 * with `auto` the engine reloads the model on WASM and says so; with an explicit `webgpu` it stops
 * with DeviceLostError, which offers WASM. Either way the history and checkpoint stay stored.
 */

async function likeThree(page: Page): Promise<void> {
  for (let i = 0; i < 3; i++) await act(page, (await feedIds(page))[0], 'Like');
}

interface EngineProbe { status: { backend: string | null; fineTuneSteps: number; ready: boolean }; history: number; tensors: number }

/** Status, history length and tensor count; `rank` first runs a re-rank, so the serve loop's caches are built. */
async function probe(page: Page, rank: boolean): Promise<EngineProbe> {
  return page.evaluate(async (r) => {
    const engine = window.localrec?.engine;
    if (!engine) throw new Error('open the app with ?hooks=1');
    if (r) await engine.recommend({ count: 5 });
    const [status, history, memory] = await Promise.all([engine.status(), engine.history(), engine.memory()]);
    return { status: { backend: status.backend, fineTuneSteps: status.fineTuneSteps, ready: status.ready }, history: history.length, tensors: memory.numTensors };
  }, rank);
}

/** Calls an engine method and returns what it threw ({name, code, message}) or null. */
async function errorOf(page: Page, method: 'learn' | 'recommend'): Promise<{ name: string; code: string; message: string } | null> {
  return page.evaluate(async (m) => {
    const engine = window.localrec?.engine;
    if (!engine) throw new Error('open the app with ?hooks=1');
    try {
      if (m === 'learn') await engine.learn({ force: true });
      else await engine.recommend({ count: 5 });
      return null;
    } catch (err) {
      const e = err as { name: string; code: string; message: string };
      return { name: e.name, code: e.code, message: e.message };
    }
  }, method);
}

test('auto: the device is lost in the second run; the model comes back on WASM, the run finishes there, nothing stored is lost', async ({ page }) => {
  test.setTimeout(240_000);
  const testing = { autoAcceptsSoftwareGpu: true, loseGpuDevice: { run: 2, step: 2 } };
  expect(await openReady(page, { device: 'auto', testing })).toBe('webgpu');
  await likeThree(page);
  const first = await learnNow(page);
  expect(first).toMatchObject({ backend: 'webgpu', accepted: true });
  const before = await probe(page, true);
  expect(before.status).toMatchObject({ backend: 'webgpu', fineTuneSteps: first.steps });

  const second = await learnNow(page);
  expect(second.backend).toBe('wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByText(/The WebGPU device was lost \(destroyed.*reloaded the model on WASM/).first()).toBeVisible();
  const after = await probe(page, true);
  expect(after.status.backend).toBe('wasm');
  expect(after.history).toBe(3);
  // The checkpoint of the first run stayed stored; the second run (on WASM) built on it or was rolled back.
  expect(after.status.fineTuneSteps).toBeGreaterThanOrEqual(second.accepted ? 1 : first.steps);
  // The feed still ranks with the model, now on WASM.
  await act(page, (await feedIds(page))[0], 'Like');
  expect(await interactions(page)).toBe(4);
  // Nothing of the lost device's model is left: the same tensors as before the loss (model, pretrained copy, caches).
  expect((await probe(page, true)).tensors).toBe(before.tensors);
});

test('explicit webgpu: the device is lost mid-run; the engine stops with DeviceLostError offering WASM; a restart on WASM has everything', async ({ page }) => {
  test.setTimeout(240_000);
  expect(await openReady(page, { device: 'webgpu', testing: { loseGpuDevice: { run: 1, step: 2 } } })).toBe('webgpu');
  await likeThree(page);
  const err = await errorOf(page, 'learn');
  expect(err).toMatchObject({ name: 'DeviceLostError', code: 'DEVICE_LOST' });
  expect(err?.message).toMatch(/WebGPU device was lost \(destroyed.*Start LocalRec again with device "wasm"/);
  await expect(page.getByText(/Start LocalRec again with device "wasm"/).first()).toBeVisible();
  expect(await errorOf(page, 'recommend')).toMatchObject({ code: 'DEVICE_LOST' });
  const stopped = await probe(page, false);
  expect(stopped.status).toMatchObject({ backend: null, ready: false });
  expect(stopped.history).toBe(3);
  expect(stopped.tensors).toBe(0);

  expect(await openReady(page, { device: 'wasm' })).toBe('wasm');
  expect(await interactions(page)).toBe(3);
  const report = await learnNow(page);
  expect(report.backend).toBe('wasm');
});
