import { useCallback, useContext, useState, type ReactNode } from 'react';
import { LocalRecError, type CatalogEntry, type EventType, type Explanation, type LocalRecOptions } from 'localrec';
import { EngineContext } from './EngineContext';
import { EngineProvider } from './EngineProvider';
import { useEngineCore } from './useEngine';
import { useFeed, type FeedItem } from './useFeed';

/** Props of `LocalRecFeed`. */
export interface LocalRecFeedProps {
  /** Engine options; needed only outside an `EngineProvider` (the feed then owns its engine). */
  options?: LocalRecOptions;
  /** Items per page (default 12). */
  count?: number;
  /** 0 = familiar ... 1 = discover; default: the person's stored setting. */
  discover?: number;
  /** Heading above the list (default: "For you", or "Popular right now" before personalisation). */
  title?: ReactNode;
  /** Renders the body of one card (default: title, year and genres). */
  renderItem?: (entry: FeedItem) => ReactNode;
  /** Called after every interaction the feed recorded. */
  onInteraction?: (item: CatalogEntry, type: EventType) => void;
}

/**
 * A ready-made feed: cards with "Like", "Not interested" and "Why this?", re-ranked on every
 * interaction. Unstyled apart from class names (`localrec-feed`, `localrec-card`, ...), so it takes
 * the host's styles. Inside an `EngineProvider` it uses that engine; otherwise pass `options`.
 *
 * @example
 * import { LocalRecFeed } from 'localrec/react';
 *
 * <LocalRecFeed options={{ modelUrl: '/models/ml-1m-sasrec/' }} count={12} discover={0.25} />
 */
export function LocalRecFeed(props: LocalRecFeedProps) {
  const provided = useContext(EngineContext);
  if (provided) return <FeedView {...props} />;
  if (!props.options) throw new LocalRecError('INVALID_INPUT', '<LocalRecFeed> needs `options` (at least { modelUrl }) when it is not inside an <EngineProvider>. Pass options, or render it inside one.');
  return (
    <EngineProvider options={props.options}>
      <FeedView {...props} />
    </EngineProvider>
  );
}

function defaultItem({ item, isNew }: FeedItem): ReactNode {
  return (
    <>
      <h3 className="localrec-title" dir="auto">
        {item.title}
        {isNew && <span className="localrec-new"> New</span>}
      </h3>
      <p className="localrec-meta">{[item.year, item.genres.join(', ')].filter(Boolean).join(' · ')}</p>
    </>
  );
}

function FeedView({ count = 12, discover, title, renderItem = defaultItem, onInteraction }: LocalRecFeedProps) {
  const { engine, phase, error, readyInfo, record } = useEngineCore();
  const feed = useFeed(count, { discover });
  const [why, setWhy] = useState<Explanation | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const { hide } = feed;

  const act = useCallback(
    (item: CatalogEntry, type: EventType) => {
      hide(item.id);
      setActionError(null);
      record(item.id, type).then(
        () => onInteraction?.(item, type),
        (err: unknown) => setActionError(err instanceof Error ? err.message : String(err)),
      );
    },
    [hide, record, onInteraction],
  );
  const explain = useCallback(
    (item: CatalogEntry) => {
      engine?.explain(item.id).then(setWhy, (err: unknown) => setActionError(err instanceof Error ? err.message : String(err)));
    },
    [engine],
  );

  const message = error?.message ?? feed.error ?? actionError;
  return (
    <section className="localrec-feed" aria-busy={feed.loading} data-source={feed.source} data-ready={feed.modelReady} data-backend={readyInfo?.backend}>
      <h2 className="localrec-heading">{title ?? (feed.source === 'model' ? 'For you' : 'Popular right now')}</h2>
      {message && (
        <p className="localrec-error" role="alert">
          {message}
        </p>
      )}
      <ul className="localrec-list">
        {feed.items.map((entry) => (
          <li key={entry.item.id} className="localrec-card" data-item-id={entry.item.id}>
            {renderItem(entry)}
            <div className="localrec-actions">
              <button type="button" disabled={phase === 'error'} onClick={() => act(entry.item, 'like')}>
                Like
              </button>
              <button type="button" disabled={phase === 'error'} onClick={() => act(entry.item, 'dislike')}>
                Not interested
              </button>
              <button type="button" disabled={phase !== 'ready'} onClick={() => explain(entry.item)}>
                Why this?
              </button>
            </div>
            {why?.itemId === entry.item.id && (
              <p className="localrec-why" role="status">
                {why.summary}
              </p>
            )}
          </li>
        ))}
      </ul>
      <button type="button" className="localrec-more" onClick={feed.showMore} disabled={feed.items.length === 0}>
        Show more
      </button>
    </section>
  );
}
