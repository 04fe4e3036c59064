import { openDB, type IDBPDatabase } from 'idb';
import { upgradeSchema, type LocalRecDb } from './schema';

/** How long an upgrade blocked by another tab may wait before the engine gives up on IndexedDB. */
export const BLOCKED_TIMEOUT_MS = 5000;

/** Callbacks of `openStoreDb`. */
export interface OpenStoreDbHooks {
  /** Another tab holds an older version open: say so (the open waits up to `blockedTimeoutMs`). */
  onBlocked(message: string): void;
  /** This connection stands in the way of another tab's upgrade or delete: close it. */
  onBlocking(): void;
  /** The browser closed the connection (e.g. storage cleared): reopen on next use. */
  onTerminated(): void;
  blockedTimeoutMs?: number;
}

/** Thrown when IndexedDB is missing, or an upgrade stayed blocked past its timeout. */
export class StoreUnavailable extends Error {
  constructor(message: string, name = 'StoreUnavailable') {
    super(message);
    this.name = name;
  }
}

/**
 * Opens (creating or upgrading) the namespace's database at `version`. Rejects with what the
 * browser said when IndexedDB is missing or refuses (private mode, blocked storage, a newer
 * version on disk), or when another tab blocks the upgrade for longer than the timeout; in that
 * case the connection that opens later is closed at once.
 */
export function openStoreDb(name: string, version: number, hooks: OpenStoreDbHooks): Promise<IDBPDatabase<LocalRecDb>> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) {
    return Promise.reject(new StoreUnavailable('IndexedDB is not available in this browser', 'NotSupportedError'));
  }
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    let opening: Promise<IDBPDatabase<LocalRecDb>>;
    try {
      opening = openDB<LocalRecDb>(name, version, {
        upgrade: (db, oldVersion, _newVersion, tx) => upgradeSchema(db, oldVersion, tx),
        blocked: () => {
          hooks.onBlocked('Another LocalRec tab is using an older version of the stored data; close other tabs to continue.');
          if (timer === undefined) {
            timer = setTimeout(() => {
              gaveUp = true;
              reject(new StoreUnavailable('another tab kept an older version of the stored data open', 'BlockedError'));
            }, hooks.blockedTimeoutMs ?? BLOCKED_TIMEOUT_MS);
          }
        },
        blocking: () => hooks.onBlocking(),
        terminated: () => hooks.onTerminated(),
      });
    } catch (err) {
      reject(err); // e.g. SecurityError thrown by indexedDB.open itself
      return;
    }
    opening.then(
      (db) => {
        clearTimeout(timer);
        if (gaveUp) db.close();
        else resolve(db);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
