/**
 * `localrec/react`: React bindings over `localrec`. One `EngineProvider` owns the engine; hooks read
 * it; `LocalRecFeed` is a ready-made feed. React and `localrec` are peer imports (not bundled).
 *
 * @example
 * import { LocalRecFeed } from 'localrec/react';
 *
 * export function App() {
 *   return <LocalRecFeed options={{ modelUrl: '/models/ml-1m-sasrec/' }} count={12} />;
 * }
 *
 * @packageDocumentation
 */
export { LocalRecFeed } from './LocalRecFeed';
export type { LocalRecFeedProps } from './LocalRecFeed';
export { EngineProvider } from './EngineProvider';
export type { EngineFactory, EngineProviderProps } from './EngineProvider';
export { useEngine, useEngineActivity, useEngineCore, useEngineSelector } from './useEngine';
export { useEngineState } from './useEngineState';
export { useFeed } from './useFeed';
export type { Feed, FeedItem } from './useFeed';
export type { EngineActivity, EngineContextValue, EngineCore, EngineError, EngineLive, LearningState, LoadProgress } from './EngineContext';
