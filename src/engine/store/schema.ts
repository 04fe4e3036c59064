import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { EngineSettings, InteractionEvent } from '../recommender/types';
import type { AdamState } from '../train/adam';
import type { StoredAdapter } from '../train/adapters';
import type { SparseRows } from '../train/sparseRows';

/** A fine-tuned checkpoint as stored (weights of the changed parameters, float32). */
export interface StoredCheckpoint {
  modelId: string;
  steps: number;
  updatedAt: number;
  /** Number of stored events when it was trained (the next run waits for `learnAfter` more). */
  trainedEvents: number;
  /** Changed parameters stored whole (float32, the parameter's element count). */
  weights: Record<string, Float32Array>;
  /**
   * Parameters stored as the rows learning touched (large catalogs: `item_emb`); every other row
   * is the pretrained one. Absent in checkpoints written before (dense `weights` only).
   */
  sparse?: Record<string, SparseRows>;
  optimizer: AdamState | null;
  /**
   * A per-person adapter over the pretrained weights (then `weights` is empty): merged into the
   * model when loaded. Checkpoints stored before adapters have none and load as before. An
   * optional field of a stored value is not a schema change (IndexedDB stores whole values; no
   * store or index changes), so it needs no version step in `MIGRATIONS`.
   */
  adapter?: StoredAdapter;
}

/** Who may train right now when Web Locks are missing (a lease with an expiry). */
export interface TrainLease {
  owner: string;
  expires: number;
}

/**
 * The one IndexedDB schema, shared by the app and the widget (each namespace is its own
 * database, `databaseName`). Version history:
 * - 1: `events` (auto-increment key, index `byTime` on `at`), `checkpoints` (key `current`),
 *   `settings` (keys `engine` and `trainLease`).
 *
 * A new version adds one entry to `MIGRATIONS` and one old-shape builder to
 * `schema.test.ts`, whose test opens a database of every earlier version with today's code.
 */
export interface LocalRecDb extends DBSchema {
  events: { key: number; value: InteractionEvent; indexes: { byTime: number } };
  checkpoints: { key: string; value: StoredCheckpoint };
  settings: { key: string; value: EngineSettings | TrainLease };
}

export const STORES = { events: 'events', checkpoints: 'checkpoints', settings: 'settings' } as const;
export const CHECKPOINT_KEY = 'current';
export const SETTINGS_KEY = 'engine';
export const LEASE_KEY = 'trainLease';

type UpgradeTx = IDBPTransaction<LocalRecDb, StoreNames<LocalRecDb>[], 'versionchange'>;

/** One version step: brings a database at version `to - 1` to version `to`. */
export interface Migration {
  to: number;
  what: string;
  run(db: IDBPDatabase<LocalRecDb>, tx: UpgradeTx): void;
}

/** Every version step, in order. The schema version is the last step's `to`. */
export const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    what: 'events (byTime index), checkpoints, settings',
    run(db) {
      const events = db.createObjectStore(STORES.events, { autoIncrement: true });
      events.createIndex('byTime', 'at');
      db.createObjectStore(STORES.checkpoints);
      db.createObjectStore(STORES.settings);
    },
  },
];

/** The schema version this code opens. */
export const DB_VERSION = MIGRATIONS[MIGRATIONS.length - 1].to;

/**
 * Runs the steps after `oldVersion`, in order, inside the one upgrade transaction (so an upgrade
 * that fails part-way leaves the database at its old version, data untouched).
 */
export function upgradeSchema(db: IDBPDatabase<LocalRecDb>, oldVersion: number, tx: UpgradeTx): void {
  for (const m of MIGRATIONS) if (m.to > oldVersion) m.run(db, tx);
}

/** IndexedDB database name of a namespace (several engines on one origin keep apart). */
export function databaseName(namespace: string): string {
  return `localrec:${namespace}`;
}
