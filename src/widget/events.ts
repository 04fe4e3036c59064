import type { Backend, EventType, LocalRecErrorCode } from './api';

/** Error codes of `localrec-error`: the engine's, plus the widget's own. */
export type WidgetErrorCode = LocalRecErrorCode | 'DEVICE_CONFLICT';

/** `localrec-ready`: the model is loaded and the feed shown is ranked by it. */
export interface FeedReadyDetail {
  backend: Backend;
  /** WASM runs multi-threaded (the host page is cross-origin isolated). */
  threads: boolean;
  adapter: string | null;
  modelName: string;
  notes: string[];
}

/** `localrec-interaction`: the person acted on an item (already stored, unless consent is pending). */
export interface FeedInteractionDetail {
  itemId: number;
  externalId: string;
  kind: EventType;
}

/** `localrec-open` (cancelable): the person opened an item. Cancel it to handle the click yourself. */
export interface FeedOpenDetail {
  itemId: number;
  externalId: string;
  title: string;
  /** The filled `item-href`, or null when the element has none. */
  href: string | null;
}

/** `localrec-error`: what went wrong and what to do next. The host page is not affected. */
export interface FeedErrorDetail {
  code: WidgetErrorCode;
  message: string;
}

/** Event names and their `detail` types, for `addEventListener` typing in hosts. */
export interface FeedEventMap {
  'localrec-ready': CustomEvent<FeedReadyDetail>;
  'localrec-interaction': CustomEvent<FeedInteractionDetail>;
  'localrec-open': CustomEvent<FeedOpenDetail>;
  'localrec-error': CustomEvent<FeedErrorDetail>;
}
