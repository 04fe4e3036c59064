import { NEW_ITEM_SLOTS, type NewItemSlots } from '../rank/newItemSlots';
import type { HistoryRead } from './historyCache';
import type { LiveModel } from './liveModel';
import type { RankInputs } from './rankInputs';

export interface FeedInputsDeps {
  /** The person's history (cached, versioned). */
  history(): Promise<HistoryRead>;
  discover(): Promise<number>;
  /** The loaded model and its serve caches (null until loaded, or after the device was lost). */
  live(): LiveModel | null;
  /** Resolves once a lost device was replaced (or at once). */
  deviceReady(): Promise<void>;
  /** Snapshot version of the last published change. */
  version(): number;
  disposed(): boolean;
  newItemSlots: NewItemSlots | null | undefined;
}

/**
 * What the feed is ranked from (`RankInputs`) and when it is computed: on request, ahead of the
 * request (the forward pass for a history being stored, or after new weights), in idle time after
 * loading (warm-up), and pushed to listeners after new history or new weights (the worker's page
 * re-ranks from them without a round trip, even when a training step then holds the worker).
 */
export class FeedInputs {
  private readonly deps: FeedInputsDeps;
  private readonly listeners = new Set<(inputs: RankInputs, version: number) => void>();

  constructor(deps: FeedInputsDeps) {
    this.deps = deps;
  }

  async read(): Promise<RankInputs> {
    await this.deps.deviceReady();
    const [h, discover] = await Promise.all([this.deps.history(), this.deps.discover()]);
    const scoring = this.deps.live()?.scoring;
    const scores = scoring && h.view.sequence.length > 0 ? await scoring.scores(h) : null;
    const newItemSlots = this.deps.newItemSlots === undefined ? NEW_ITEM_SLOTS : this.deps.newItemSlots;
    return { scores, seen: [...h.view.seen], discover, newItemSlots };
  }

  listen(listener: (inputs: RankInputs, version: number) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /**
   * A change that moves the feed (new history or new live weights) was published as snapshot
   * `version()`: with listeners (the worker's page), the inputs are computed now (the forward pass
   * of a new history was started while it was stored) and sent before a learning step can hold the
   * worker (a request asked meanwhile would wait for the step); else their forward pass starts in
   * a macrotask. Nothing is sent when something newer was published before the inputs were ready.
   */
  async published(): Promise<void> {
    if (this.listeners.size === 0) {
      this.prefetch();
      return;
    }
    const version = this.deps.version();
    let inputs: RankInputs;
    try {
      inputs = await this.read();
    } catch {
      return; // the page's own request reports what went wrong
    }
    if (this.deps.version() !== version || this.deps.disposed()) return;
    for (const listener of this.listeners) {
      try {
        listener(inputs, version);
      } catch (err) {
        console.error('LocalRec: an onRankInputs listener threw', err);
      }
    }
  }

  /**
   * Starts the forward pass of the next re-rank in a macrotask (after pending messages, and after
   * a just-started IndexedDB write was handed to the browser): for the current history, or `next`.
   */
  prefetch(next?: HistoryRead): void {
    if (!this.deps.live()) return;
    setTimeout(() => {
      const scoring = this.deps.live()?.scoring;
      if (next && scoring && next.view.sequence.length > 0) void scoring.scores(next).catch(() => undefined);
      else if (!next) void this.read().catch(() => undefined);
    }, 0);
  }

  /**
   * In a macrotask after `ready`: the item tables, a first forward pass and a dislike penalty
   * (`PersonScores.warm`), so the first re-rank after an interaction costs what later ones do.
   * Skipped when the person's scores were asked for already; a failure here is left to the real
   * re-rank to report.
   */
  warm(): void {
    setTimeout(() => {
      const live = this.deps.live();
      if (!live || this.deps.disposed() || live.scoring.computed > 0) return;
      const first = live.loaded.catalog.items[0]?.id;
      if (first !== undefined) void live.scoring.warm(first).catch(() => undefined);
    }, 0);
  }
}
