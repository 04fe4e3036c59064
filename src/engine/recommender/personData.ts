import { makeBundle, type ValidatedImport } from '../store/exportBundle';
import type { LocalStore } from '../store/localStore';
import type { ExportBundle, ImportResult } from './types';

/** Everything stored for the person, as one `ExportBundle` (read in one go from IndexedDB). */
export async function exportPersonData(store: LocalStore, modelName: string): Promise<ExportBundle> {
  const [events, settings, checkpoint] = await Promise.all([store.events(), store.getSettings(), store.getCheckpoint()]);
  return makeBundle(modelName, events, settings, checkpoint);
}

/**
 * Replaces everything stored with a bundle checked by `validateBundle` (store/exportBundle.ts),
 * in one transaction: all of it is stored or none.
 */
export async function storeImport(store: LocalStore, valid: ValidatedImport): Promise<ImportResult> {
  await store.replaceAll(valid);
  return { events: valid.events.length, checkpoint: valid.checkpoint !== null, note: valid.checkpointSkipped };
}
