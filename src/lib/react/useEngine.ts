import { useContext, useMemo, useSyncExternalStore } from 'react';
import { EngineActivityContext, EngineContext, EngineLiveContext, type EngineActivity, type EngineContextValue, type EngineCore, type EngineLive, type EngineLiveStore } from './EngineContext';

/** The engine of the nearest EngineProvider and what changes rarely (loading, errors, catalog, actions). */
export function useEngineCore(): EngineCore {
  const value = useContext(EngineContext);
  if (!value) throw new Error('useEngineCore() must be called inside <EngineProvider>.');
  return value;
}

function useLiveStore(): EngineLiveStore {
  const store = useContext(EngineLiveContext);
  if (!store) throw new Error('useEngineSelector() must be called inside <EngineProvider>.');
  return store;
}

/**
 * One part of the engine's changing state (revision, status, settings, history); the component
 * re-renders only when the selected value changes (`Object.is`). Select a primitive or a part
 * whose identity is kept while unchanged (`state.status`, `state.settings`, `state.history`),
 * never a new object.
 *
 * @example
 * const discover = useEngineSelector((l) => l.state?.settings.discover ?? null);
 */
export function useEngineSelector<T>(select: (live: EngineLive) => T): T {
  const store = useLiveStore();
  return useSyncExternalStore(store.subscribe, () => select(store.get()), () => select(store.get()));
}

/**
 * Everything of the nearest EngineProvider at once. Re-renders on every interaction and every
 * learned update: components that need less use `useEngineCore()` and `useEngineSelector()`.
 */
export function useEngine(): EngineContextValue {
  const core = useEngineCore();
  const live = useEngineSelector((l) => l);
  return useMemo(() => ({ ...core, ...live }), [core, live]);
}

/** Download progress and fine-tuning activity (changes often: use only in small widgets). */
export function useEngineActivity(): EngineActivity {
  const value = useContext(EngineActivityContext);
  if (!value) throw new Error('useEngineActivity() must be called inside <EngineProvider>.');
  return value;
}
