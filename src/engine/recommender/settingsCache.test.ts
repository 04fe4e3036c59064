import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, LocalStore } from '../store/localStore';
import { SettingsCache } from './settingsCache';

let ns = 0;
afterEach(() => { ns++; });

describe('SettingsCache', () => {
  it('reads once, keeps its own writes, and reads again after forget()', async () => {
    const store = new LocalStore(`settings-cache-${ns}`);
    let reads = 0;
    const original = store.getSettings.bind(store);
    store.getSettings = () => { reads++; return original(); };
    const cache = new SettingsCache(store);
    expect(await cache.read()).toEqual(DEFAULT_SETTINGS);
    await cache.read();
    expect(reads).toBe(1);
    await cache.write({ ...DEFAULT_SETTINGS, discover: 0.9 });
    expect((await cache.read()).discover).toBe(0.9);
    expect(reads).toBe(1);
    expect((await original()).discover).toBe(0.9); // stored, not only cached
    await store.putSettings({ ...DEFAULT_SETTINGS, discover: 0.1 }); // another tab
    cache.forget();
    expect((await cache.read()).discover).toBe(0.1);
    expect(reads).toBe(2);
    store.close();
  });

  it('a read that overlapped forget() is not kept', async () => {
    const store = new LocalStore(`settings-cache-${ns}`);
    const cache = new SettingsCache(store);
    const pending = cache.read();
    cache.forget();
    await store.putSettings({ ...DEFAULT_SETTINGS, autoLearn: false });
    await pending;
    expect((await cache.read()).autoLearn).toBe(false);
    store.close();
  });
});
