import { createContext } from 'react';
import type { CatalogEntry, EngineState, EventType, ReadyInfo, Recommender } from 'localrec';

/** Model download progress over all files (bytes). */
export interface LoadProgress {
  loaded: number;
  total: number;
  file: string | null;
}

/** Background fine-tuning: the run in progress and the outcome of the last one. */
export interface LearningState {
  /** True while a background fine-tuning run is in progress. */
  active: boolean;
  step: number;
  of: number;
  loss: number | null;
  /** Outcome of the last finished run. */
  last: { steps: number; accepted: boolean; reason: string; at: number } | null;
}

/** A load, device or background failure, as shown to the person (`code` from `LocalRecErrorCode`). */
export interface EngineError {
  code: string;
  message: string;
}

/** What `useEngine()` returns: the engine of the nearest `EngineProvider` and its state. */
export interface EngineContextValue {
  /** Null only before the first effect ran (one engine per provider). */
  engine: Recommender | null;
  phase: 'loading' | 'ready' | 'error';
  readyInfo: ReadyInfo | null;
  error: EngineError | null;
  catalog: CatalogEntry[] | null;
  catalogById: ReadonlyMap<number, CatalogEntry>;
  /** Bumps whenever history or model weights changed (or `invalidate()`): the feed re-ranks on it. */
  revision: number;
  /**
   * Status, settings and history, read once and then kept current from the engine's `updated`
   * snapshots (null until the first read).
   */
  state: EngineState | null;
  /**
   * The latest failure outside a call the page made (background fine-tuning, storage, another
   * tab), shown to the person until dismissed; null when none.
   */
  problem: EngineError | null;
  dismissProblem(): void;
  /** Records an interaction (waits for the model if needed) and re-ranks at once. */
  record(itemId: number, type: EventType): Promise<void>;
  /** Re-reads the engine state and re-ranks (after import, delete, reset). */
  invalidate(): void;
  /** Disposes the engine and loads it again (after a load error). */
  retry(): void;
}

/** Context of `EngineProvider`; read it with `useEngine()`. */
export const EngineContext = createContext<EngineContextValue | null>(null);

/**
 * Fast-changing state (download bytes, fine-tuning steps) in its own context, so its updates
 * re-render only the progress and status widgets, never the feed.
 */
export interface EngineActivity {
  progress: LoadProgress;
  learning: LearningState;
}

/** Context of the fast-changing activity; read it with `useEngineActivity()`. */
export const EngineActivityContext = createContext<EngineActivity | null>(null);
