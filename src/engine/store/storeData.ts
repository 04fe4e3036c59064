import type { IDBPDatabase } from 'idb';
import type { EngineSettings, InteractionEvent } from '../recommender/types';
import { CHECKPOINT_KEY, LEASE_KEY, SETTINGS_KEY, STORES, type LocalRecDb, type StoredCheckpoint, type TrainLease } from './schema';

/** Everything the store replaces in one go (import). */
export interface ReplaceAllData {
  events: InteractionEvent[];
  settings: EngineSettings;
  checkpoint: StoredCheckpoint | null;
}

/** The stored data's operations, on IndexedDB or (when IndexedDB is unavailable) in memory. */
export interface StoreData {
  appendEvent(e: InteractionEvent): Promise<void>;
  /** All events, oldest first (ties in insertion order). */
  events(): Promise<InteractionEvent[]>;
  countEvents(): Promise<number>;
  /** As stored, unchecked (see `checkCheckpoint`). */
  getCheckpoint(): Promise<StoredCheckpoint | null>;
  putCheckpoint(c: StoredCheckpoint): Promise<void>;
  deleteCheckpoint(): Promise<void>;
  getSettings(): Promise<Partial<EngineSettings> | undefined>;
  putSettings(s: EngineSettings): Promise<void>;
  replaceAll(data: ReplaceAllData): Promise<void>;
  tryLease(owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(owner: string): Promise<void>;
}

const plainEvent = (e: InteractionEvent): InteractionEvent => ({ itemId: e.itemId, type: e.type, at: e.at });

/** The data in an open IndexedDB database; every write resolves after its transaction commits. */
export class IdbData implements StoreData {
  readonly db: IDBPDatabase<LocalRecDb>;

  constructor(db: IDBPDatabase<LocalRecDb>) {
    this.db = db;
  }

  async appendEvent(e: InteractionEvent): Promise<void> {
    const tx = this.db.transaction(STORES.events, 'readwrite');
    await Promise.all([tx.store.add(plainEvent(e)), tx.done]);
  }

  async events(): Promise<InteractionEvent[]> {
    return (await this.db.getAllFromIndex(STORES.events, 'byTime')).map(plainEvent);
  }

  countEvents(): Promise<number> {
    return this.db.count(STORES.events);
  }

  async getCheckpoint(): Promise<StoredCheckpoint | null> {
    return (await this.db.get(STORES.checkpoints, CHECKPOINT_KEY)) ?? null;
  }

  async putCheckpoint(c: StoredCheckpoint): Promise<void> {
    const tx = this.db.transaction(STORES.checkpoints, 'readwrite');
    await Promise.all([tx.store.put(c, CHECKPOINT_KEY), tx.done]);
  }

  async deleteCheckpoint(): Promise<void> {
    const tx = this.db.transaction(STORES.checkpoints, 'readwrite');
    await Promise.all([tx.store.delete(CHECKPOINT_KEY), tx.done]);
  }

  async getSettings(): Promise<Partial<EngineSettings> | undefined> {
    return (await this.db.get(STORES.settings, SETTINGS_KEY)) as EngineSettings | undefined;
  }

  async putSettings(s: EngineSettings): Promise<void> {
    const tx = this.db.transaction(STORES.settings, 'readwrite');
    await Promise.all([tx.store.put({ ...s }, SETTINGS_KEY), tx.done]);
  }

  async replaceAll(data: ReplaceAllData): Promise<void> {
    const tx = this.db.transaction([STORES.events, STORES.checkpoints, STORES.settings], 'readwrite');
    const events = tx.objectStore(STORES.events);
    const checkpoints = tx.objectStore(STORES.checkpoints);
    const ops: Promise<unknown>[] = [events.clear(), checkpoints.clear(), tx.objectStore(STORES.settings).put({ ...data.settings }, SETTINGS_KEY)];
    for (const e of data.events) ops.push(events.add(plainEvent(e)));
    if (data.checkpoint) ops.push(checkpoints.put(data.checkpoint, CHECKPOINT_KEY));
    await Promise.all([...ops, tx.done]);
  }

  /** IndexedDB serialises readwrite transactions, so check-and-set is atomic across tabs. */
  async tryLease(owner: string, ttlMs: number): Promise<boolean> {
    const tx = this.db.transaction(STORES.settings, 'readwrite');
    const cur = (await tx.store.get(LEASE_KEY)) as TrainLease | undefined;
    const now = Date.now();
    const free = !cur || cur.expires < now || cur.owner === owner;
    if (free) await tx.store.put({ owner, expires: now + ttlMs }, LEASE_KEY);
    await tx.done;
    return free;
  }

  async releaseLease(owner: string): Promise<void> {
    const tx = this.db.transaction(STORES.settings, 'readwrite');
    const cur = (await tx.store.get(LEASE_KEY)) as TrainLease | undefined;
    if (cur?.owner === owner) await tx.store.delete(LEASE_KEY);
    await tx.done;
  }
}

/**
 * The same data kept in this engine's memory, for when IndexedDB cannot be opened (private
 * windows, storage blocked, a newer app's database): the app keeps working for the session and
 * says that nothing will be kept.
 */
export class MemoryData implements StoreData {
  private rows: InteractionEvent[] = [];
  private checkpoint: StoredCheckpoint | null = null;
  private settings: EngineSettings | undefined = undefined;

  async appendEvent(e: InteractionEvent): Promise<void> {
    const row = plainEvent(e);
    // Stored order: by time, ties in insertion order (what the IndexedDB index gives).
    let i = this.rows.length;
    while (i > 0 && this.rows[i - 1].at > row.at) i--;
    this.rows.splice(i, 0, row);
  }

  async events(): Promise<InteractionEvent[]> {
    return this.rows.map(plainEvent);
  }

  async countEvents(): Promise<number> {
    return this.rows.length;
  }

  async getCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.checkpoint;
  }

  async putCheckpoint(c: StoredCheckpoint): Promise<void> {
    this.checkpoint = c;
  }

  async deleteCheckpoint(): Promise<void> {
    this.checkpoint = null;
  }

  async getSettings(): Promise<Partial<EngineSettings> | undefined> {
    return this.settings ? { ...this.settings } : undefined;
  }

  async putSettings(s: EngineSettings): Promise<void> {
    this.settings = { ...s };
  }

  async replaceAll(data: ReplaceAllData): Promise<void> {
    this.rows = [];
    for (const e of data.events) await this.appendEvent(e);
    this.settings = { ...data.settings };
    this.checkpoint = data.checkpoint;
  }

  /** One engine per memory store: there is no other tab to share with. */
  async tryLease(): Promise<boolean> {
    return true;
  }

  async releaseLease(): Promise<void> {}

  clear(): void {
    this.rows = [];
    this.checkpoint = null;
    this.settings = undefined;
  }
}
