import { expect, test } from '@playwright/test';
import { appUrl } from './helpers';

test('a corrupted model file is detected, reported, and Retry recovers', async ({ page }) => {
  const pattern = '**/models/tiny-test/weights.bin';
  await page.context().route(pattern, async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length >> 1] ^= 0xff;
    await route.fulfill({ response, body });
  });
  await page.goto(appUrl());
  const alert = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
  await expect(alert).toBeVisible({ timeout: 60_000 });
  await expect(alert).toContainText(/weights\.bin/);
  await expect(alert).toContainText(/sha256|integrity|corrupt/i);
  await expect(page.getByTestId('backend')).toHaveText('not loaded');

  await page.context().unroute(pattern);
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|wasm|cpu)$/, { timeout: 90_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'could not be loaded' })).toHaveCount(0);
});
