import { expect, test } from '@playwright/test';
import { act, feedIds, learnNow, openReady } from './helpers';

async function likeThree(page: import('@playwright/test').Page): Promise<void> {
  for (let i = 0; i < 3; i++) await act(page, (await feedIds(page))[0], 'Like');
}

test('device=webgpu runs fine-tuning on the WebGPU backend', async ({ page }) => {
  expect(await openReady(page, { device: 'webgpu' })).toBe('webgpu');
  await expect(page.getByTestId('adapter')).not.toHaveText('—');
  await likeThree(page);
  const report = await learnNow(page);
  expect(report.backend).toBe('webgpu');
  expect(report.steps).toBeGreaterThan(0);
});

test('device=wasm runs on WASM', async ({ page }) => {
  expect(await openReady(page, { device: 'wasm' })).toBe('wasm');
  await likeThree(page);
  const report = await learnNow(page);
  expect(report.backend).toBe('wasm');
  expect(report.steps).toBeGreaterThan(0);
});

test('device=auto picks WASM over a software WebGPU adapter', async ({ page }) => {
  expect(await openReady(page, { device: 'auto' })).toBe('wasm');
});
