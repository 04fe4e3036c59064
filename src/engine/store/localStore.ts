import { deleteDB } from 'idb';
import { DEFAULT_DISCOVER } from '../rank/diversify';
import type { EngineSettings, InteractionEvent, StorageMode } from '../recommender/types';
import { openStoreDb } from './openStoreDb';
import { DB_VERSION, STORES, databaseName, type StoredCheckpoint } from './schema';
import { storageError, unavailableReason } from './storageErrors';
import { IdbData, MemoryData, type ReplaceAllData, type StoreData } from './storeData';

export { STORES, databaseName };
export type { StoredCheckpoint };

export const DEFAULT_SETTINGS: Readonly<EngineSettings> = Object.freeze({ discover: DEFAULT_DISCOVER, autoLearn: true, onboarded: false });

/** Options of `LocalStore`. */
export interface LocalStoreOptions {
  /** Another tab blocks an upgrade or delete: tell the person. */
  onBlocked?: (message: string) => void;
  /** IndexedDB cannot be opened: from now on data is kept in memory. `message` says why, for the person. */
  onUnavailable?: (message: string) => void;
  /** Upgrade blocked by another tab longer than this: run in memory (default `BLOCKED_TIMEOUT_MS`). */
  blockedTimeoutMs?: number;
}

/**
 * The person's data in IndexedDB: events, the fine-tuned checkpoint and settings. Writes resolve
 * after the transaction commits; failures are `STORAGE_FAILED` (or `STORAGE_FULL` when the quota
 * is reached) and change nothing. When another tab needs to upgrade or delete the database this
 * connection closes itself (`blocking`) and reopens on next use. When IndexedDB cannot be opened
 * at all, the data is kept in memory for this engine's life (`mode`, `onUnavailable`).
 */
export class LocalStore {
  readonly name: string;
  private db: Promise<StoreData> | null = null;
  private memory: MemoryData | null = null;
  private unavailable: string | null = null;
  private readonly opts: LocalStoreOptions;
  /**
   * Set after "delete everything": reads answer empty without opening (which would create the
   * database again); the next write recreates it.
   */
  private deleted = false;

  constructor(namespace: string, opts: LocalStoreOptions = {}) {
    this.name = databaseName(namespace);
    this.opts = opts;
  }

  /** `memory` once IndexedDB failed to open (nothing survives the tab), else `indexeddb`. */
  get mode(): StorageMode {
    return this.memory ? 'memory' : 'indexeddb';
  }

  /** Why the data is kept in memory (null while on IndexedDB). */
  get unavailableReason(): string | null {
    return this.unavailable;
  }

  private open(): Promise<StoreData> {
    this.deleted = false;
    if (this.memory) return Promise.resolve(this.memory);
    if (!this.db) {
      const p: Promise<StoreData> = openStoreDb(this.name, DB_VERSION, {
        onBlocked: (message) => this.opts.onBlocked?.(message),
        onBlocking: () => this.close(),
        onTerminated: () => { if (this.db === p) this.db = null; },
        blockedTimeoutMs: this.opts.blockedTimeoutMs,
      }).then(
        (db) => new IdbData(db),
        (err: unknown) => this.useMemory(err),
      );
      this.db = p;
    }
    return this.db;
  }

  private useMemory(err: unknown): MemoryData {
    this.memory ??= new MemoryData();
    this.unavailable = `Your data is kept in memory only and will be gone when you close this tab: IndexedDB could not be opened (${unavailableReason(err)}).`;
    this.opts.onUnavailable?.(this.unavailable);
    return this.memory;
  }

  close(): void {
    const p = this.db;
    this.db = null;
    p?.then((d) => { if (d instanceof IdbData) d.db.close(); }, () => {});
  }

  private async run<T>(what: string, op: (d: StoreData) => Promise<T>): Promise<T> {
    try {
      return await op(await this.open());
    } catch (err) {
      throw storageError(what, err);
    }
  }

  appendEvent(e: InteractionEvent): Promise<void> {
    return this.run('save the interaction', (d) => d.appendEvent(e));
  }

  /** All events, oldest first (ties in insertion order). */
  async events(): Promise<InteractionEvent[]> {
    if (this.deleted) return [];
    return this.run('read the history', (d) => d.events());
  }

  async countEvents(): Promise<number> {
    if (this.deleted) return 0;
    return this.run('count the history', (d) => d.countEvents());
  }

  /** The stored checkpoint as stored: not checked (see `checkCheckpoint`). */
  async getCheckpoint(): Promise<StoredCheckpoint | null> {
    if (this.deleted) return null;
    return this.run('read the fine-tuned model', (d) => d.getCheckpoint());
  }

  putCheckpoint(c: StoredCheckpoint): Promise<void> {
    return this.run('save the fine-tuned model', (d) => d.putCheckpoint(c));
  }

  deleteCheckpoint(): Promise<void> {
    return this.run('remove the fine-tuned model', (d) => d.deleteCheckpoint());
  }

  async getSettings(): Promise<EngineSettings> {
    if (this.deleted) return { ...DEFAULT_SETTINGS };
    const s = await this.run('read the settings', (d) => d.getSettings());
    return { ...DEFAULT_SETTINGS, ...s };
  }

  putSettings(s: EngineSettings): Promise<void> {
    return this.run('save the settings', (d) => d.putSettings(s));
  }

  /** Replaces everything in one transaction: either all of the new data is stored or none. */
  replaceAll(data: ReplaceAllData): Promise<void> {
    return this.run('import the data', (d) => d.replaceAll(data));
  }

  /** Takes the training lease when it is free or expired (fallback for browsers without Web Locks). */
  async tryLease(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.open()).tryLease(owner, ttlMs);
  }

  async releaseLease(owner: string): Promise<void> {
    await (await this.open()).releaseLease(owner);
  }

  /** Another tab deleted the database: stop reading it until something is written again. */
  markDeleted(): void {
    if (this.memory) return; // this tab's memory is not that database
    this.close();
    this.deleted = true;
  }

  /** Deletes the whole database (other tabs' connections close themselves). */
  async destroy(): Promise<void> {
    if (this.memory) {
      this.memory.clear();
      return;
    }
    this.markDeleted();
    try {
      await deleteDB(this.name, { blocked: () => this.opts.onBlocked?.('Waiting for other LocalRec tabs to release the stored data…') });
    } catch (err) {
      throw storageError('delete the stored data', err);
    }
  }
}
