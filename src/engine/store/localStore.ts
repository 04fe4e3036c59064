import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { LocalRecError } from '../errors';
import type { EngineSettings, InteractionEvent } from '../recommender/types';
import type { AdamState } from '../train/adam';
import type { StoredAdapter } from '../train/adapters';
import { DEFAULT_DISCOVER } from '../rank/diversify';

/** A fine-tuned checkpoint as stored (weights of the changed parameters, float32). */
export interface StoredCheckpoint {
  modelId: string;
  steps: number;
  updatedAt: number;
  /** Number of stored events when it was trained (the next run waits for `learnAfter` more). */
  trainedEvents: number;
  weights: Record<string, Float32Array>;
  optimizer: AdamState | null;
  /**
   * A per-person adapter over the pretrained weights (then `weights` is empty): merged into the
   * model when loaded. Checkpoints stored before adapters have none and load as before.
   */
  adapter?: StoredAdapter;
}

/** Who may train right now when Web Locks are missing (a lease with an expiry). */
interface TrainLease {
  owner: string;
  expires: number;
}

/** The one schema. Version history: 1 = events, checkpoints, settings. */
interface LocalRecDb extends DBSchema {
  events: { key: number; value: InteractionEvent; indexes: { byTime: number } };
  checkpoints: { key: string; value: StoredCheckpoint };
  settings: { key: string; value: EngineSettings | TrainLease };
}

export const STORES = { events: 'events', checkpoints: 'checkpoints', settings: 'settings' } as const;
const DB_VERSION = 1;
const CURRENT = 'current';
const SETTINGS_KEY = 'engine';
const LEASE_KEY = 'trainLease';

export const DEFAULT_SETTINGS: Readonly<EngineSettings> = Object.freeze({ discover: DEFAULT_DISCOVER, autoLearn: true, onboarded: false });

/** IndexedDB database name of a namespace (several engines on one origin keep apart). */
export function databaseName(namespace: string): string {
  return `localrec:${namespace}`;
}

function storageError(what: string, err: unknown): LocalRecError {
  const why = err instanceof Error ? err.message : String(err);
  return new LocalRecError('STORAGE_FAILED', `Could not ${what} in IndexedDB (${why}). Check that the browser allows site storage and has free space, then retry.`, { cause: err });
}

/**
 * The person's data in IndexedDB: events, the fine-tuned checkpoint and settings. Writes resolve
 * after the transaction commits. When another tab needs to upgrade or delete the database this
 * connection closes itself (`blocking`) and reopens on next use.
 */
export class LocalStore {
  readonly name: string;
  private db: Promise<IDBPDatabase<LocalRecDb>> | null = null;
  private readonly onBlocked: (msg: string) => void;
  /**
   * Set after "delete everything": reads answer empty without opening (which would create the
   * database again); the next write recreates it.
   */
  private deleted = false;

  constructor(namespace: string, opts: { onBlocked?: (msg: string) => void } = {}) {
    this.name = databaseName(namespace);
    this.onBlocked = opts.onBlocked ?? (() => {});
  }

  private open(): Promise<IDBPDatabase<LocalRecDb>> {
    this.deleted = false;
    if (!this.db) {
      const p = openDB<LocalRecDb>(this.name, DB_VERSION, {
        upgrade(db, oldVersion) {
          // One branch per version; each is safe on a database at any earlier version.
          if (oldVersion < 1) {
            const events = db.createObjectStore(STORES.events, { autoIncrement: true });
            events.createIndex('byTime', 'at');
            db.createObjectStore(STORES.checkpoints);
            db.createObjectStore(STORES.settings);
          }
        },
        blocked: () => this.onBlocked('Another LocalRec tab is using an older version of the stored data; close other tabs to continue.'),
        blocking: () => this.close(),
        terminated: () => { this.db = null; },
      });
      this.db = p;
      p.catch(() => { if (this.db === p) this.db = null; });
    }
    return this.db;
  }

  close(): void {
    const p = this.db;
    this.db = null;
    p?.then((db) => db.close(), () => {});
  }

  async appendEvent(e: InteractionEvent): Promise<void> {
    try {
      const db = await this.open();
      const tx = db.transaction(STORES.events, 'readwrite');
      await Promise.all([tx.store.add({ itemId: e.itemId, type: e.type, at: e.at }), tx.done]);
    } catch (err) {
      throw storageError('save the interaction', err);
    }
  }

  /** All events, oldest first (ties in insertion order). */
  async events(): Promise<InteractionEvent[]> {
    if (this.deleted) return [];
    try {
      const db = await this.open();
      const rows = await db.getAllFromIndex(STORES.events, 'byTime');
      return rows.map((r) => ({ itemId: r.itemId, type: r.type, at: r.at }));
    } catch (err) {
      throw storageError('read the history', err);
    }
  }

  async countEvents(): Promise<number> {
    if (this.deleted) return 0;
    try {
      return await (await this.open()).count(STORES.events);
    } catch (err) {
      throw storageError('count the history', err);
    }
  }

  async getCheckpoint(): Promise<StoredCheckpoint | null> {
    if (this.deleted) return null;
    try {
      return (await (await this.open()).get(STORES.checkpoints, CURRENT)) ?? null;
    } catch (err) {
      throw storageError('read the fine-tuned model', err);
    }
  }

  async putCheckpoint(c: StoredCheckpoint): Promise<void> {
    try {
      const db = await this.open();
      const tx = db.transaction(STORES.checkpoints, 'readwrite');
      await Promise.all([tx.store.put(c, CURRENT), tx.done]);
    } catch (err) {
      throw storageError('save the fine-tuned model', err);
    }
  }

  async deleteCheckpoint(): Promise<void> {
    try {
      const db = await this.open();
      const tx = db.transaction(STORES.checkpoints, 'readwrite');
      await Promise.all([tx.store.delete(CURRENT), tx.done]);
    } catch (err) {
      throw storageError('remove the fine-tuned model', err);
    }
  }

  async getSettings(): Promise<EngineSettings> {
    if (this.deleted) return { ...DEFAULT_SETTINGS };
    try {
      const s = (await (await this.open()).get(STORES.settings, SETTINGS_KEY)) as EngineSettings | undefined;
      return { ...DEFAULT_SETTINGS, ...s };
    } catch (err) {
      throw storageError('read the settings', err);
    }
  }

  async putSettings(s: EngineSettings): Promise<void> {
    try {
      const db = await this.open();
      const tx = db.transaction(STORES.settings, 'readwrite');
      await Promise.all([tx.store.put({ ...s }, SETTINGS_KEY), tx.done]);
    } catch (err) {
      throw storageError('save the settings', err);
    }
  }

  /** Replaces everything in one transaction: either all of the new data is stored or none. */
  async replaceAll(data: { events: InteractionEvent[]; settings: EngineSettings; checkpoint: StoredCheckpoint | null }): Promise<void> {
    try {
      const db = await this.open();
      const tx = db.transaction([STORES.events, STORES.checkpoints, STORES.settings], 'readwrite');
      const events = tx.objectStore(STORES.events);
      const checkpoints = tx.objectStore(STORES.checkpoints);
      const settings = tx.objectStore(STORES.settings);
      const ops: Promise<unknown>[] = [events.clear(), checkpoints.clear(), settings.put({ ...data.settings }, SETTINGS_KEY)];
      for (const e of data.events) ops.push(events.add({ itemId: e.itemId, type: e.type, at: e.at }));
      if (data.checkpoint) ops.push(checkpoints.put(data.checkpoint, CURRENT));
      await Promise.all([...ops, tx.done]);
    } catch (err) {
      throw storageError('import the data', err);
    }
  }

  /**
   * Takes the training lease when it is free or expired (fallback for browsers without Web
   * Locks). IndexedDB serialises readwrite transactions, so check-and-set is atomic.
   */
  async tryLease(owner: string, ttlMs: number): Promise<boolean> {
    const db = await this.open();
    const tx = db.transaction(STORES.settings, 'readwrite');
    const cur = (await tx.store.get(LEASE_KEY)) as TrainLease | undefined;
    const now = Date.now();
    const free = !cur || cur.expires < now || cur.owner === owner;
    if (free) await tx.store.put({ owner, expires: now + ttlMs }, LEASE_KEY);
    await tx.done;
    return free;
  }

  async releaseLease(owner: string): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(STORES.settings, 'readwrite');
    const cur = (await tx.store.get(LEASE_KEY)) as TrainLease | undefined;
    if (cur?.owner === owner) await tx.store.delete(LEASE_KEY);
    await tx.done;
  }

  /** Another tab deleted the database: stop reading it until something is written again. */
  markDeleted(): void {
    this.close();
    this.deleted = true;
  }

  /** Deletes the whole database (other tabs' connections close themselves). */
  async destroy(): Promise<void> {
    this.markDeleted();
    try {
      await deleteDB(this.name, { blocked: () => this.onBlocked('Waiting for other LocalRec tabs to release the stored data…') });
    } catch (err) {
      throw storageError('delete the stored data', err);
    }
  }
}
