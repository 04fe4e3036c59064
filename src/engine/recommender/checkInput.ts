import { LocalRecError } from '../errors';
import type { CatalogIndex } from '../rank/rankFeed';
import { isEventType } from '../signals';
import type { EngineSettings, InteractionEvent } from './types';

/** A clean copy of an event to record; INVALID_INPUT saying what is wrong otherwise. */
export function checkEvent(event: unknown, catalog: CatalogIndex): InteractionEvent {
  const e = event as Partial<InteractionEvent> | null;
  if (!Number.isInteger(e?.itemId) || !catalog.byId.has(e?.itemId as number)) throw new LocalRecError('INVALID_INPUT', `record: itemId ${JSON.stringify(e?.itemId)} is not in the catalog.`);
  if (!isEventType(e?.type)) throw new LocalRecError('INVALID_INPUT', `record: type ${JSON.stringify(e?.type)} is not one of like, dislike, view, search, open.`);
  if (typeof e?.at !== 'number' || !Number.isFinite(e.at) || e.at < 0) throw new LocalRecError('INVALID_INPUT', 'record: "at" must be a time in milliseconds since the epoch.');
  return { itemId: e.itemId as number, type: e.type, at: e.at };
}

/** Checks a settings patch; INVALID_INPUT naming the bad key otherwise. */
export function checkSettingsPatch(patch: unknown): Partial<EngineSettings> {
  for (const [k, v] of Object.entries((patch ?? {}) as Record<string, unknown>)) {
    const ok = k === 'discover' ? typeof v === 'number' && v >= 0 && v <= 1 : (k === 'autoLearn' || k === 'onboarded') && typeof v === 'boolean';
    if (!ok) throw new LocalRecError('INVALID_INPUT', `setSettings: "${k}" = ${JSON.stringify(v)} is not a valid setting (discover: 0..1, autoLearn/onboarded: true or false).`);
  }
  return { ...(patch as Partial<EngineSettings>) };
}
