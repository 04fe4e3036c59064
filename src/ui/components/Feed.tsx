import { memo, useCallback, useEffect, useState } from 'react';
import { useEngineCore, useFeed, type FeedItem } from 'localrec/react';
import type { CatalogEntry, EventType } from 'localrec';
import { Card } from './Card';
import { DetailsDialog } from './DetailsDialog';
import { DiscoverControl } from './DiscoverControl';
import { WhyDialog } from './WhyDialog';
import { useVisibleFirst, type RenderSlot } from '../useVisibleFirst';

const itemKey = (it: FeedItem): number => it.item.id;

interface FeedItemsProps {
  slots: readonly RenderSlot<FeedItem>[];
  observe: (el: HTMLElement | null) => (() => void) | undefined;
  disabled: boolean;
  onLike(item: CatalogEntry): void;
  onDislike(item: CatalogEntry): void;
  onOpen(item: CatalogEntry): void;
  onWhy(item: CatalogEntry): void;
}

/**
 * The list items: re-rendered only when the rendered list changes, not on the feed's other
 * renders of a re-rank (the control's value, the loading flag), each of which would otherwise
 * walk every card of a long feed.
 */
const FeedItems = memo(function FeedItems({ slots, observe, disabled, onLike, onDislike, onOpen, onWhy }: FeedItemsProps) {
  return slots.map((s, pos) =>
    'item' in s ? (
      <li key={s.key} data-pos={pos} ref={observe}>
        <Card item={s.item.item} isNew={s.item.isNew} disabled={disabled} onLike={onLike} onDislike={onDislike} onOpen={onOpen} onWhy={onWhy} />
      </li>
    ) : (
      <li key={s.key} data-pos={pos} ref={observe} className="feed-slot" aria-hidden="true" />
    ),
  );
});

/** The recommendation feed with paging, the discover control, the "show seen" toggle and the details and "why this?" dialogs. */
export function Feed() {
  const { phase, record } = useEngineCore();
  const feed = useFeed();
  const [open, setOpen] = useState<CatalogEntry | null>(null);
  const [why, setWhy] = useState<CatalogEntry | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const { hide } = feed;
  const act = useCallback(
    (item: CatalogEntry, type: EventType) => {
      if (type !== 'view') hide(item.id);
      setActionError(null);
      record(item.id, type).catch((err: unknown) => setActionError(err instanceof Error ? err.message : String(err)));
    },
    [hide, record],
  );
  const like = useCallback((item: CatalogEntry) => act(item, 'like'), [act]);
  const dislike = useCallback((item: CatalogEntry) => act(item, 'dislike'), [act]);
  useEffect(() => {
    // User-timing marks read by `npm run bench:browser` (first paint of a feed, first model ranking).
    if (feed.items.length > 0 && performance.getEntriesByName('localrec:first-feed').length === 0) performance.mark('localrec:first-feed');
    if (feed.source === 'model' && performance.getEntriesByName('localrec:first-ranking').length === 0) performance.mark('localrec:first-ranking');
  }, [feed.items.length, feed.source]);
  const openDetails = useCallback((item: CatalogEntry) => {
    setOpen(item);
    act(item, 'view');
  }, [act]);
  // The ranking in view renders at once, the rest of the list right after (useVisibleFirst).
  const view = { source: feed.source, revision: feed.revision, ready: feed.modelReady, discover: feed.shownDiscover, includeSeen: feed.shownIncludeSeen };
  const list = useVisibleFirst(feed.items, view, itemKey);
  const whole = list.completeMeta;

  return (
    <section className="feed" aria-labelledby="feed-heading" aria-busy={feed.loading || !list.complete}>
      <div className="feed-header">
        <h2 id="feed-heading">{feed.source === 'model' ? 'For you' : 'Popular right now'}</h2>
        <DiscoverControl value={feed.discover} onChange={feed.setDiscover} />
        <label className="toggle">
          <input type="checkbox" checked={feed.includeSeen} onChange={(e) => feed.setIncludeSeen(e.target.checked)} />
          Show seen items
        </label>
      </div>
      {feed.source === 'popular' && phase === 'loading' && <p className="hint">Popular and varied picks while your on-device model loads.</p>}
      {(feed.error ?? actionError) && (
        <p className="error-text" role="alert">
          {feed.error ?? actionError}
        </p>
      )}
      {/* data-revision, -source, -ready, -discover, -include-seen: the ranking the whole list shows;
          data-view-*: the ranking the cards in view show (the same once data-complete is true). */}
      <ul
        className="feed-list"
        data-source={whole.source}
        data-revision={whole.revision}
        data-ready={whole.ready}
        data-discover={whole.discover ?? undefined}
        data-include-seen={whole.includeSeen}
        data-complete={list.complete}
        data-loading={feed.loading}
        data-view-revision={view.revision}
        data-view-discover={view.discover ?? undefined}
        data-view-include-seen={view.includeSeen}
      >
        <FeedItems slots={list.slots} observe={list.observe} disabled={phase === 'error'} onLike={like} onDislike={dislike} onOpen={openDetails} onWhy={setWhy} />
      </ul>
      {feed.items.length === 0 && !feed.loading && <p className="hint">Nothing to show yet.</p>}
      <button type="button" className="show-more" onClick={feed.showMore} disabled={feed.items.length === 0}>
        Show more
      </button>
      <WhyDialog item={why} onClose={() => setWhy(null)} />
      <DetailsDialog
        item={open}
        onClose={() => setOpen(null)}
        onLike={(it) => {
          setOpen(null);
          like(it);
        }}
      />
    </section>
  );
}
