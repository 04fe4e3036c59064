import { useContext } from 'react';
import { EngineContext, type EngineContextValue } from './EngineContext';

/** The engine of the nearest EngineProvider, with its loading and learning state. */
export function useEngine(): EngineContextValue {
  const value = useContext(EngineContext);
  if (!value) throw new Error('useEngine() must be called inside <EngineProvider>.');
  return value;
}
