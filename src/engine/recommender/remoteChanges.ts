import type { SyncMessage } from '../store/tabSync';
import type { HistoryChange, UpdateKind } from './types';

/** What following another tab's change needs from the engine. */
export interface RemoteChangeTarget {
  forgetHistory(): void;
  forgetSettings(): void;
  /** The other tab deleted the database: stop reading it until this engine writes again. */
  markDeleted(): void;
  /** Discards a training run that started before the change. */
  bumpGeneration(): void;
  reloadCheckpoint(opts: { force: boolean }): Promise<void>;
  publish(what: UpdateKind, origin: 'remote', history: HistoryChange): Promise<void>;
  /** Following the change failed: say so (the caches were dropped, the next read reloads). */
  reportError(err: unknown): void;
}

/**
 * Brings this engine in step with a change another tab (or engine on the same namespace) made,
 * then publishes one snapshot for it. Never rejects: a failure drops the caches and is reported.
 */
export async function followRemoteChange(m: SyncMessage, t: RemoteChangeTarget): Promise<void> {
  try {
    switch (m.kind) {
      case 'events':
        t.forgetHistory();
        await t.publish('history', 'remote', { kind: 'replaced' });
        return;
      case 'checkpoint':
        await t.reloadCheckpoint({ force: false });
        await t.publish('checkpoint', 'remote', { kind: 'unchanged' });
        return;
      case 'settings':
        t.forgetSettings();
        await t.publish('settings', 'remote', { kind: 'unchanged' });
        return;
      case 'replaced':
      case 'deleted':
        if (m.kind === 'deleted') t.markDeleted();
        t.forgetHistory();
        t.forgetSettings();
        t.bumpGeneration();
        await t.reloadCheckpoint({ force: m.kind === 'replaced' });
        await t.publish('all', 'remote', { kind: 'replaced' });
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown sync message ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    t.forgetHistory();
    t.forgetSettings();
    t.reportError(err);
  }
}
