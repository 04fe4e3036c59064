import { useContext } from 'react';
import { EngineActivityContext, EngineContext, type EngineActivity, type EngineContextValue } from './EngineContext';

/** The engine of the nearest EngineProvider, with its loading and learning state. */
export function useEngine(): EngineContextValue {
  const value = useContext(EngineContext);
  if (!value) throw new Error('useEngine() must be called inside <EngineProvider>.');
  return value;
}

/** Download progress and fine-tuning activity (changes often: use only in small widgets). */
export function useEngineActivity(): EngineActivity {
  const value = useContext(EngineActivityContext);
  if (!value) throw new Error('useEngineActivity() must be called inside <EngineProvider>.');
  return value;
}
