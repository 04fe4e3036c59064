import { createPageEngine } from './api';
import { EngineRegistry } from './engineRegistry';
import { createFeedElementClass, type FeedEnvironment } from './feedElement';
import { fetchCatalog } from './memoryFeed';

/** The tag the widget script registers. */
export const FEED_TAG = 'localrec-feed';

/**
 * Registers `<localrec-feed>` (or another tag). Safe to call many times and from two copies of
 * the script: an already-defined tag is left as it is and its class returned.
 *
 * @example
 * import { defineLocalRecFeed } from 'localrec/widget';
 * defineLocalRecFeed(); // then: <localrec-feed model="/models/ml-1m-sasrec/"></localrec-feed>
 */
export function defineLocalRecFeed(tag: string = FEED_TAG, env?: Partial<FeedEnvironment>): CustomElementConstructor {
  const existing = customElements.get(tag);
  if (existing) return existing;
  const cls = createFeedElementClass({
    registry: env?.registry ?? new EngineRegistry(createPageEngine),
    fetchCatalog: env?.fetchCatalog ?? ((url) => fetchCatalog(url)),
  });
  customElements.define(tag, cls);
  return cls;
}
