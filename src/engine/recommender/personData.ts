import type { FileCache } from '../loading/fileCache';
import { makeBundle, validateBundle, type ValidatedImport } from '../store/exportBundle';
import type { LocalStore, StoredCheckpoint } from '../store/localStore';
import type { TabSync } from '../store/tabSync';
import { adapterShapes } from '../train/adapters';
import { rowParameterRows } from '../train/sparseRows';
import type { HistoryCache } from './historyCache';
import type { LearnScheduler } from './learnScheduler';
import type { LiveModel } from './liveModel';
import type { LoadedModel } from './loadModelFolder';
import type { SettingsCache } from './settingsCache';
import type { StateGuard } from './stateGuard';
import type { ExportBundle, ImportResult } from './types';

/** Everything stored for the person, as one `ExportBundle` (read in one go from IndexedDB). */
export async function exportPersonData(
  store: LocalStore,
  modelName: string,
  keepCheckpoint: (c: StoredCheckpoint) => StoredCheckpoint | null = (c) => c,
): Promise<ExportBundle> {
  const [events, settings, checkpoint] = await Promise.all([store.events(), store.getSettings(), store.getCheckpoint()]);
  return makeBundle(modelName, events, settings, checkpoint && keepCheckpoint(checkpoint));
}

/**
 * Replaces everything stored with a bundle checked by `validateBundle` (store/exportBundle.ts),
 * in one transaction: all of it is stored or none.
 */
export async function storeImport(store: LocalStore, valid: ValidatedImport): Promise<ImportResult> {
  await store.replaceAll(valid);
  return { events: valid.events.length, checkpoint: valid.checkpoint !== null, note: valid.checkpointSkipped };
}

/** What export, import, delete and reset need from the engine. */
export interface PersonDataDeps {
  store: LocalStore;
  /** The model file cache, emptied by delete (null: none). */
  cache: FileCache | null;
  sync: TabSync;
  events: HistoryCache;
  settings: SettingsCache;
  guard: StateGuard;
  scheduler: LearnScheduler;
  /** The loaded model (waits for loading; throws when disposed or not loaded). */
  model(): Promise<LoadedModel>;
  live(): LiveModel | null;
  /** Puts the stored checkpoint (or the pretrained weights) into the live model. */
  reloadCheckpoint(opts?: { force?: boolean }): Promise<void>;
  /** One snapshot after the change: everything, or just the checkpoint. */
  publish(what: 'all' | 'checkpoint'): Promise<void>;
}

/**
 * The person's stored data as a whole: export, import (validated first; all or nothing), delete
 * everything, and reset the model to the pretrained weights. Each replacement runs in the
 * engine's queue of state-replacing writes, discards training runs that started before it, and
 * tells other tabs.
 */
export class PersonData {
  private readonly d: PersonDataDeps;

  constructor(deps: PersonDataDeps) {
    this.d = deps;
  }

  /** Everything stored; a damaged stored checkpoint is left out (it could not be imported again). */
  async exportData(): Promise<ExportBundle> {
    const live = this.d.live();
    const bundle = await exportPersonData(this.d.store, live?.loaded.manifest.name ?? '', (raw) => {
      if (!live) return raw;
      const check = live.checkStored(raw);
      return check.kind === 'damaged' ? null : raw;
    });
    return bundle;
  }

  async importData(bundle: unknown): Promise<ImportResult> {
    const d = this.d;
    const l = await d.model();
    const valid = validateBundle(bundle, {
      numItems: l.model.config.numItems,
      modelId: l.modelId,
      weightSizes: new Map([...l.model.weights].map(([n, v]) => [n, v.size])),
      adapterShapes: (kind, rank) => adapterShapes(l.model.config, kind, rank),
      weightRows: rowParameterRows(l.model.weights),
    });
    const result = await d.guard.exclusive(async () => {
      this.forgetAll();
      const r = await storeImport(d.store, valid);
      d.events.invalidate();
      d.scheduler.attempted(0);
      await d.reloadCheckpoint({ force: true });
      return r;
    });
    d.sync.post('replaced');
    await d.publish('all');
    return result;
  }

  async deleteData(): Promise<void> {
    const d = this.d;
    await d.guard.exclusive(async () => {
      this.forgetAll();
      await d.store.destroy();
      await d.cache?.clear();
      d.events.invalidate();
      d.scheduler.attempted(0);
      await d.reloadCheckpoint();
    });
    d.sync.post('deleted');
    await d.publish('all');
  }

  async resetModel(): Promise<void> {
    const d = this.d;
    await d.model();
    await d.guard.exclusive(async () => {
      d.guard.bump();
      await d.store.deleteCheckpoint();
      d.scheduler.attempted((await d.events.read()).events.length);
      await d.reloadCheckpoint();
    });
    d.sync.post('checkpoint');
    await d.publish('checkpoint');
  }

  private forgetAll(): void {
    this.d.guard.bump();
    this.d.events.invalidate();
    this.d.settings.forget();
  }
}
