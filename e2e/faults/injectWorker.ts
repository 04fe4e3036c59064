import type { BrowserContext } from '@playwright/test';

/**
 * Runs `source` at the top of the app's engine worker (a module: its imports are evaluated first,
 * then this, before the engine does anything) by rewriting the worker script on its way in.
 * Tests use it to make the browser misbehave inside the worker, where init scripts do not run.
 */
export async function injectIntoWorker(context: BrowserContext, source: string): Promise<void> {
  await context.route(/\/assets\/worker-[^/]*\.js$/, async (route) => {
    const response = await route.fetch();
    const body = `${source}\n${await response.text()}`;
    await route.fulfill({ response, body });
  });
}

/** Source that makes `indexedDB.open` throw as a browser that forbids site storage does. */
export const DENY_INDEXEDDB = `IDBFactory.prototype.open = function () { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };`;

/**
 * Source that makes checkpoint writes fail as over quota while `self.__storageFull` is true (set
 * with `worker.evaluate`). Chrome's quota override (`Storage.overrideQuotaForOrigin`) did not
 * reject writes into a database that was already open, so the browser's error is injected here.
 */
export const CHECKPOINT_QUOTA = `{
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (self.__storageFull && this.name === 'checkpoints') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  };
}`;
