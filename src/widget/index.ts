/**
 * `localrec/widget`: the `<localrec-feed>` custom element, framework-free. Loading this module
 * (as `localrec-widget.js`) registers the element; it finds its worker and WASM files beside
 * its own URL. See docs/EMBED.md.
 *
 * @example
 * <script type="module" src="https://cdn.example.com/localrec/localrec-widget.js"></script>
 * <localrec-feed model="https://cdn.example.com/models/ml-1m-sasrec/" limit="12"></localrec-feed>
 *
 * @packageDocumentation
 */
import { defineLocalRecFeed } from './defineFeed';

export { defineLocalRecFeed, FEED_TAG } from './defineFeed';
export { EngineRegistry } from './engineRegistry';
export type { EngineLease } from './engineRegistry';
export type { LocalRecFeed, FeedEnvironment } from './feedElement';
export type { FeedConfig } from './attributes';
export type { FeedErrorDetail, FeedEventMap, FeedInteractionDetail, FeedOpenDetail, FeedReadyDetail, WidgetErrorCode } from './events';

// The point of the widget script: one <script type="module"> and the tag works. Guarded, so a
// second copy of the script on the page does not throw.
if (typeof customElements !== 'undefined') defineLocalRecFeed();
