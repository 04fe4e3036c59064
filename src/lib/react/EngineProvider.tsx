import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  applySnapshot,
  createRecommender,
  type CatalogEntry,
  type EngineState,
  type EventType,
  type LocalRecOptions,
  type ProgressEvent,
  type ReadyInfo,
  type Recommender,
} from 'localrec';
import { EngineActivityContext, EngineContext, EngineLiveContext, EngineLiveStore, type EngineActivity, type EngineCore, type EngineError, type LearningState, type LoadProgress } from './EngineContext';
import { IDLE_LEARNING, nextLearningState } from './learningState';

/** Creates the engine of an `EngineProvider` (default: `createRecommender` from `localrec`, in its own worker). */
export type EngineFactory = (options: LocalRecOptions) => Recommender;

/** Props of `EngineProvider`. */
export interface EngineProviderProps {
  /**
   * Engine options. A change of `modelUrl`, `device`, `namespace`, `policy`, `newItemSlots` or
   * `workerUrl` starts a new engine; callbacks (`onProgress`, `worker`) are read when one starts.
   */
  options: LocalRecOptions;
  /** Creates the engine (tests pass an in-process one); default `createRecommender`. */
  createEngine?: EngineFactory;
  /** Called with each engine once created (e.g. to expose it to tests); may return a cleanup. */
  onEngine?: (engine: Recommender) => (() => void) | void;
  children: ReactNode;
}

const NO_PROGRESS: LoadProgress = { loaded: 0, total: 0, file: null };

function toEngineError(err: unknown): EngineError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  return { code, message };
}

/** What identifies an engine: options other than callbacks. */
function engineKey(o: LocalRecOptions): string {
  return JSON.stringify([o.modelUrl, o.device ?? 'auto', o.namespace ?? 'default', o.policy ?? null, o.newItemSlots, o.workerUrl ? String(o.workerUrl) : null, o.wasmPaths ?? null, o.wasmThreads ?? null]);
}

/**
 * Owns one engine (created on mount, disposed on unmount or retry) and shares it, with its loading
 * and learning state, through context: read it with `useEngine()`, `useFeed()`,
 * `useEngineActivity()` and `useEngineState()`. UI code reaches the engine only through it.
 *
 * @example
 * import { EngineProvider, useFeed } from 'localrec/react';
 *
 * function Titles() {
 *   const feed = useFeed(12);
 *   return <ul>{feed.items.map(({ item }) => <li key={item.id}>{item.title}</li>)}</ul>;
 * }
 *
 * <EngineProvider options={{ modelUrl: '/models/ml-1m-sasrec/' }}>
 *   <Titles />
 * </EngineProvider>
 */
export function EngineProvider({ options, createEngine = createRecommender, onEngine, children }: EngineProviderProps) {
  const key = engineKey(options);
  const latest = useRef({ options, onEngine });
  latest.current = { options, onEngine };
  const [attempt, setAttempt] = useState(0);
  const [engine, setEngine] = useState<Recommender | null>(null);
  const [phase, setPhase] = useState<EngineCore['phase']>('loading');
  const [progress, setProgress] = useState<LoadProgress>(NO_PROGRESS);
  const [readyInfo, setReadyInfo] = useState<ReadyInfo | null>(null);
  const [error, setError] = useState<EngineError | null>(null);
  const [catalog, setCatalog] = useState<CatalogEntry[] | null>(null);
  const [learning, setLearning] = useState<LearningState>(IDLE_LEARNING);
  // Revision and state change with every interaction: kept in a store that components subscribe
  // to by part (useEngineSelector), so a change re-renders only what shows it.
  const [liveStore] = useState(() => new EngineLiveStore());
  const [problem, setProblem] = useState<EngineError | null>(null);
  const engineRef = useRef<Recommender | null>(null);
  const rereadRef = useRef<() => void>(() => {});

  useEffect(() => {
    let live = true;
    // The state every panel shows: read once, then kept current from the snapshot each
    // 'updated' event carries (one message per change instead of a re-read per panel).
    let current: EngineState | null = null;
    let rereading = false;
    let rereadAgain = false;
    const reread = (): void => {
      if (rereading) {
        rereadAgain = true;
        return;
      }
      rereading = true;
      instance.state().then(
        (s) => {
          if (!live) return;
          if (!current || s.version >= current.version) {
            current = keepUnchanged(current, s);
            liveStore.update({ state: current });
          }
        },
        (err: unknown) => live && setProblem(toEngineError(err)),
      ).finally(() => {
        rereading = false;
        if (rereadAgain && live) {
          rereadAgain = false;
          reread();
        }
      });
    };
    setPhase('loading');
    setProgress(NO_PROGRESS);
    setError(null);
    setProblem(null);
    liveStore.update({ state: null });
    setLearning(IDLE_LEARNING);
    const { options: given, onEngine: announce } = latest.current;
    const onProgress = (e: ProgressEvent): void => {
      if (!live) return;
      try {
        given.onProgress?.(e);
      } catch (err) {
        console.error('LocalRec: an onProgress listener threw', err);
      }
      switch (e.status) {
        case 'initiate':
        case 'download':
        case 'done':
          setProgress((p) => ({ ...p, file: e.file }));
          break;
        case 'progress':
          setProgress({ loaded: e.overallLoaded, total: e.overallTotal, file: e.file });
          break;
        case 'ready':
          break;
        case 'device-lost':
          // The engine reloaded on another backend (auto) or stopped (explicit device): show which, and why.
          setReadyInfo((info) => info && (e.now ? { ...info, backend: e.now, adapter: null, threads: e.threads, notes: [...info.notes, e.message] } : info));
          setProblem({ code: 'DEVICE_LOST', message: e.message });
          break;
        case 'learning':
        case 'learned':
          setLearning((l) => nextLearningState(l, e, Date.now()));
          break;
        case 'error':
          // Nothing may stay stuck: a failed run ends "learning", and the person sees why.
          setLearning((l) => nextLearningState(l, e, Date.now()));
          setProblem({ code: e.code, message: e.message });
          break;
        case 'updated': {
          const next = applySnapshot(current, e.snapshot);
          // History or weights changed (here, or in another tab): re-rank. Settings reach the
          // feed through `state.settings` (a changed discover setting re-ranks there).
          const rerank = e.what === 'history' || e.what === 'checkpoint' || e.what === 'all';
          if (next === null) reread();
          const personChange = e.what === 'history' && e.origin === 'local';
          if (next !== null && next !== current) {
            current = keepUnchanged(current, next);
            liveStore.update(rerank ? { state: current, revision: liveStore.get().revision + 1, personChange } : { state: current });
          } else if (rerank) liveStore.update({ revision: liveStore.get().revision + 1, personChange });
          break;
        }
      }
    };
    const instance = createEngine({ ...given, onProgress });
    engineRef.current = instance;
    setEngine(instance);
    const removeHooks = announce?.(instance);
    rereadRef.current = reread;
    reread();
    instance.catalog().then(
      (items) => live && setCatalog(items),
      () => {}, // the same failure rejects `ready`, which shows it
    );
    instance.ready.then(
      (info) => {
        if (!live) return;
        performance.mark('localrec:model-ready');
        setReadyInfo(info);
        setPhase('ready');
        liveStore.update({ revision: liveStore.get().revision + 1, personChange: false });
      },
      (err: unknown) => {
        if (!live) return;
        setError(toEngineError(err));
        setPhase('error');
      },
    );
    return () => {
      live = false;
      removeHooks?.();
      engineRef.current = null;
      rereadRef.current = () => {};
      void instance.dispose().catch((err: unknown) => console.warn('LocalRec: dispose failed', err));
    };
  }, [key, createEngine, attempt, liveStore]);

  const record = useCallback(async (itemId: number, type: EventType) => {
    const instance = engineRef.current;
    if (!instance) return;
    await instance.ready;
    // The engine answers with an 'updated' progress event, which re-ranks.
    await instance.record({ itemId, type, at: Date.now() });
  }, []);
  const invalidate = useCallback(() => {
    liveStore.update({ revision: liveStore.get().revision + 1, personChange: false });
    rereadRef.current();
  }, [liveStore]);
  const dismissProblem = useCallback(() => setProblem(null), []);
  const retry = useCallback(() => setAttempt((a) => a + 1), []);

  const catalogById = useMemo(() => new Map((catalog ?? []).map((it) => [it.id, it])), [catalog]);
  const value = useMemo<EngineCore>(
    () => ({ engine, phase, readyInfo, error, catalog, catalogById, problem, dismissProblem, record, invalidate, retry }),
    [engine, phase, readyInfo, error, catalog, catalogById, problem, dismissProblem, record, invalidate, retry],
  );
  const activity = useMemo<EngineActivity>(() => ({ progress, learning }), [progress, learning]);
  return (
    <EngineContext.Provider value={value}>
      <EngineLiveContext.Provider value={liveStore}>
        <EngineActivityContext.Provider value={activity}>{children}</EngineActivityContext.Provider>
      </EngineLiveContext.Provider>
    </EngineContext.Provider>
  );
}

/** Objects equal field by field; array fields (the status notes) equal item by item. */
function sameFields<T extends object>(a: T, b: T): boolean {
  const ka = Object.keys(a) as (keyof T)[];
  const same = (x: unknown, y: unknown) => Object.is(x, y) || (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => Object.is(v, y[i])));
  return ka.length === Object.keys(b).length && ka.every((k) => same(a[k], b[k]));
}

/**
 * `next` with the parts equal to `prev`'s taken from `prev`, so components that select one part
 * (the status, the settings, the history) do not re-render when another part changed.
 */
function keepUnchanged(prev: EngineState | null, next: EngineState): EngineState {
  if (!prev) return next;
  const status = sameFields(prev.status, next.status) ? prev.status : next.status;
  const settings = sameFields(prev.settings, next.settings) ? prev.settings : next.settings;
  const history = prev.history.length === next.history.length && prev.history.every((e, i) => e === next.history[i]) ? prev.history : next.history;
  if (status === next.status && settings === next.settings && history === next.history) return next;
  return { ...next, status, settings, history };
}
