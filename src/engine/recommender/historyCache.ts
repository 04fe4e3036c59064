import { interpretEvents, type SignalView } from '../signals';
import type { LocalStore } from '../store/localStore';
import { insertEvents } from './engineState';
import type { InteractionEvent } from './types';

/** The history at one version, with the model's view of it. */
export interface HistoryRead {
  events: readonly InteractionEvent[];
  view: SignalView;
  /** Identifies this history: the same number means the same events. -1: not cacheable (a write overlapped the read). */
  version: number;
}

/**
 * The stored history kept in memory: read once from IndexedDB, extended in place by this engine's
 * own writes (so an interaction never re-reads the whole history), dropped on anything else
 * (import, delete, another tab's write). `version` changes with every change, so scores computed
 * for one version can be cached and reused.
 */
export class HistoryCache {
  private readonly store: LocalStore;
  private events: InteractionEvent[] | null = null;
  private view: SignalView | null = null;
  private current = 0;
  /** Writes in flight: a read that overlaps one is not cached. */
  private writing = 0;

  constructor(store: LocalStore) {
    this.store = store;
  }

  /** The current version (changes whenever the history may have changed). */
  get version(): number {
    return this.current;
  }

  async read(): Promise<HistoryRead> {
    if (this.events) return { events: this.events, view: (this.view ??= interpretEvents(this.events)), version: this.current };
    const version = this.current;
    const rows = await this.store.events();
    if (version !== this.current || this.writing > 0) return { events: rows, view: interpretEvents(rows), version: -1 };
    this.events = rows;
    this.view = interpretEvents(rows);
    return { events: rows, view: this.view, version };
  }

  /**
   * Stores `event` through `write` and keeps the cache in step: when the history was cached and
   * no other write overlapped, the event is inserted in stored order instead of re-reading.
   * `onNext`: called before the write with the history it will produce, under the version it
   * will have, so work on it (the feed's forward pass) can overlap the write. That version names
   * this history only: if the write fails or another change overlaps, it is skipped.
   */
  async append(event: InteractionEvent, write: () => Promise<void>, onNext?: (next: HistoryRead) => void): Promise<void> {
    const before = this.events;
    this.writing++;
    this.invalidate();
    const mark = this.current;
    let next: { events: InteractionEvent[]; view: SignalView } | null = null;
    if (onNext && before && this.writing === 1) {
      const events = insertEvents(before, [event]);
      next = { events, view: interpretEvents(events) };
      onNext({ ...next, version: mark + 1 });
    }
    let stored = false;
    try {
      await write();
      stored = true;
    } finally {
      this.writing--;
      // Anything else that moved the version meanwhile (another write, an import) makes `before` stale.
      const untouched = this.current === mark && this.writing === 0;
      this.current++;
      if (stored && before && untouched) {
        this.events = next?.events ?? insertEvents(before, [event]);
        this.view = next?.view ?? null;
      } else if (next) {
        this.current++;
      }
    }
  }

  /** Forgets the cached history (the next read goes to IndexedDB) and moves the version on. */
  invalidate(): void {
    this.current++;
    this.events = null;
    this.view = null;
  }
}
