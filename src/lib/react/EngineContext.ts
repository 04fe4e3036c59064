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

/**
 * The engine of an `EngineProvider` and what changes rarely (loading, errors, the catalog, the
 * actions): `useEngineCore()`. Its value changes only when one of these does, so components that
 * read only this never re-render on an interaction.
 */
export interface EngineCore {
  /** Null only before the first effect ran (one engine per provider). */
  engine: Recommender | null;
  phase: 'loading' | 'ready' | 'error';
  readyInfo: ReadyInfo | null;
  error: EngineError | null;
  catalog: CatalogEntry[] | null;
  catalogById: ReadonlyMap<number, CatalogEntry>;
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

/** What changes with every interaction or learned update: read it through `useEngineSelector`. */
export interface EngineLive {
  /** Bumps whenever history or model weights changed (or `invalidate()`): the feed re-ranks on it. */
  revision: number;
  /**
   * The last revision came from this page's own history change (a like, a view, "Not
   * interested"): the feed renders it at once. New weights and other tabs' changes render in a
   * transition (the page stays responsive while the worker trains).
   */
  personChange: boolean;
  /**
   * Status, settings and history, read once and then kept current from the engine's `updated`
   * snapshots (null until the first read). Parts that did not change keep their identity.
   */
  state: EngineState | null;
}

/** What `useEngine()` returns: everything at once (re-renders on every change; prefer the narrow hooks). */
export interface EngineContextValue extends EngineCore, EngineLive {}

/** Context of `EngineProvider`; read it with `useEngineCore()` or `useEngine()`. */
export const EngineContext = createContext<EngineCore | null>(null);

/**
 * Holds the `EngineLive` value outside React state, so each component subscribes to the part it
 * selects (`useEngineSelector`) and re-renders only when that part changes.
 */
export class EngineLiveStore {
  private value: EngineLive = { revision: 0, state: null, personChange: false };
  private readonly listeners = new Set<() => void>();

  /** The current value (a new object on each change). */
  readonly get = (): EngineLive => this.value;

  /** Adds a listener; returns its removal. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Replaces part of the value and tells the subscribers. */
  update(patch: Partial<EngineLive>): void {
    this.value = { ...this.value, ...patch };
    for (const l of [...this.listeners]) l();
  }
}

/** Context of the live store; read it with `useEngineSelector()`. */
export const EngineLiveContext = createContext<EngineLiveStore | null>(null);

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
