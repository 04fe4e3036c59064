import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRecError } from '../errors';
import { LocalStore } from './localStore';
import { openStoreDb } from './openStoreDb';
import { databaseName } from './schema';
import { isQuotaError, storageError } from './storageErrors';

const realIndexedDB = globalThis.indexedDB;
afterEach(() => {
  Object.defineProperty(globalThis, 'indexedDB', { value: realIndexedDB, configurable: true, writable: true });
});
function replaceIndexedDB(value: unknown): void {
  Object.defineProperty(globalThis, 'indexedDB', { value, configurable: true, writable: true });
}

/** Everything a store must still do in memory, with the same answers as on IndexedDB. */
async function exercise(s: LocalStore): Promise<void> {
  await s.appendEvent({ itemId: 2, type: 'like', at: 20 });
  await s.appendEvent({ itemId: 1, type: 'view', at: 10 });
  await s.appendEvent({ itemId: 3, type: 'view', at: 20 });
  expect(await s.events()).toEqual([{ itemId: 1, type: 'view', at: 10 }, { itemId: 2, type: 'like', at: 20 }, { itemId: 3, type: 'view', at: 20 }]);
  expect(await s.countEvents()).toBe(3);
  await s.putSettings({ discover: 0.1, autoLearn: false, onboarded: true });
  expect(await s.getSettings()).toEqual({ discover: 0.1, autoLearn: false, onboarded: true });
  const c = { modelId: 'm', steps: 1, updatedAt: 1, trainedEvents: 3, weights: { w: Float32Array.from([1]) }, optimizer: null };
  await s.putCheckpoint(c);
  expect(await s.getCheckpoint()).toEqual(c);
  expect(await s.tryLease('me', 1000)).toBe(true);
  await s.replaceAll({ events: [{ itemId: 4, type: 'like', at: 5 }], settings: { discover: 0.5, autoLearn: true, onboarded: false }, checkpoint: null });
  expect(await s.events()).toEqual([{ itemId: 4, type: 'like', at: 5 }]);
  expect(await s.getCheckpoint()).toBeNull();
  await s.destroy();
  expect(await s.events()).toEqual([]);
}

describe('LocalStore when IndexedDB is unavailable', () => {
  it('no IndexedDB at all: keeps the data in memory and says so once', async () => {
    replaceIndexedDB(undefined);
    const said: string[] = [];
    const s = new LocalStore('none', { onUnavailable: (m) => said.push(m) });
    await exercise(s);
    expect(s.mode).toBe('memory');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/kept in memory only.*IndexedDB is not available/);
    expect(s.unavailableReason).toBe(said[0]);
  });

  it('open() throws (storage blocked by the browser): memory, with the reason', async () => {
    replaceIndexedDB({
      open() { throw new DOMException('Access to IndexedDB is denied in this context.', 'SecurityError'); },
    });
    const said: string[] = [];
    const s = new LocalStore('denied', { onUnavailable: (m) => said.push(m) });
    await exercise(s);
    expect(said[0]).toMatch(/does not allow this site to store data \(Access to IndexedDB is denied/);
  });

  it('an upgrade blocked by another tab past the timeout: memory; the late connection is closed, nothing is lost', async () => {
    const name = databaseName('blocked');
    // Another tab with the database open at version 1 that never lets go.
    const other = await openDB(name, 1, { upgrade: (db) => { db.createObjectStore('events', { autoIncrement: true }).createIndex('byTime', 'at'); db.createObjectStore('checkpoints'); db.createObjectStore('settings'); } });
    await other.add('events', { itemId: 1, type: 'like', at: 1 });
    const blocked: string[] = [];
    const opening = openStoreDb(name, 2, { onBlocked: (m) => blocked.push(m), onBlocking: () => {}, onTerminated: () => {}, blockedTimeoutMs: 50 });
    await expect(opening).rejects.toThrow(/kept an older version of the stored data open/);
    expect(blocked[0]).toMatch(/close other tabs/);
    other.close(); // the upgrade now goes through; its connection is closed at once
    await new Promise((r) => setTimeout(r, 50));
    const again = await openDB(name);
    expect(await again.getAll('events')).toEqual([{ itemId: 1, type: 'like', at: 1 }]);
    again.close();
  });
});

describe('storage errors', () => {
  it('a quota failure (also wrapped in a cause) is STORAGE_FULL with what to do; others are STORAGE_FAILED', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError(new Error('tx aborted', { cause: quota }))).toBe(true);
    expect(isQuotaError(new DOMException('x', 'AbortError'))).toBe(false);
    const full = storageError('save the fine-tuned model', quota);
    expect(full).toBeInstanceOf(LocalRecError);
    expect(full.code).toBe('STORAGE_FULL');
    expect(full.message).toMatch(/storage is full.*Free some space/);
    expect(storageError('read', new Error('boom')).code).toBe('STORAGE_FAILED');
  });
});
