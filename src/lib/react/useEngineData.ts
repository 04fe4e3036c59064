import { startTransition, useEffect, useState } from 'react';
import type { Recommender } from 'localrec';
import { useEngine } from './useEngine';

/**
 * Reads something from the engine once it is ready, and again whenever its data changes
 * (`revision`). Returns null until the first answer. Pass a module-level function: a new
 * function on every render would re-read on every render. `beforeReady`: also read while the
 * model loads (for stored data such as settings and history, which need no model).
 */
export function useEngineData<T>(read: (engine: Recommender) => Promise<T>, { beforeReady = false }: { beforeReady?: boolean } = {}): T | null {
  const { engine, phase, revision } = useEngine();
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    if (!engine || !(phase === 'ready' || (beforeReady && phase === 'loading'))) return;
    let current = true;
    read(engine).then(
      (v) => current && startTransition(() => setValue(v)),
      () => {}, // keep the last value; the provider reports engine failures
    );
    return () => {
      current = false;
    };
  }, [engine, phase, revision, read, beforeReady]);
  return value;
}
