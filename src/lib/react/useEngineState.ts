import type { EngineState } from 'localrec';
import { useEngineSelector } from './useEngine';

/**
 * Status, settings and history of the engine, kept current from its `updated` snapshots (one
 * message per change, no re-reads). Null until the first read (also before the model is ready:
 * stored data needs no model). A failed read shows as `useEngineCore().problem`. Re-renders on
 * every change: select a part with `useEngineSelector` where that is enough.
 */
export function useEngineState(): EngineState | null {
  return useEngineSelector((l) => l.state);
}
