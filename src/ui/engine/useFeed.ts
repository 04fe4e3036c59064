import { useCallback, useEffect, useState } from 'react';
import { popularFeed, type CatalogEntry } from '../popularFeed';
import { useEngine } from './useEngine';

export interface FeedItem {
  item: CatalogEntry;
  /** Model score, or null for the popular list shown before the model is ready. */
  score: number | null;
}

export interface Feed {
  items: FeedItem[];
  /** 'popular' before the model is ready, then 'personal'. */
  source: 'popular' | 'personal';
  loading: boolean;
  error: string | null;
  showMore(): void;
  includeSeen: boolean;
  setIncludeSeen(value: boolean): void;
  /** Hides an item at once (before the re-rank arrives), e.g. right after "Not interested". */
  hide(itemId: number): void;
  /** Engine `revision` the shown ranking was computed for (-1 before the first ranking). */
  revision: number;
}

/**
 * The feed: popular-and-varied until the model is ready, then the engine's ranking, re-read
 * whenever history or weights change. Seen and disliked items stay out unless `includeSeen`.
 */
export function useFeed(pageSize = 12): Feed {
  const { engine, phase, catalog, catalogById, revision } = useEngine();
  const [count, setCount] = useState(pageSize);
  const [includeSeen, setIncludeSeen] = useState(false);
  const [items, setItems] = useState<FeedItem[]>([]);
  const [source, setSource] = useState<Feed['source']>('popular');
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [shownRevision, setShownRevision] = useState(-1);

  useEffect(() => {
    if (phase !== 'ready' && catalog) {
      setItems(popularFeed(catalog, count).map((item) => ({ item, score: null })));
      setSource('popular');
      setLoading(false);
    }
  }, [phase, catalog, count]);

  useEffect(() => {
    if (phase !== 'ready' || !engine || catalogById.size === 0) return;
    let current = true;
    setLoading(true);
    engine.recommend({ count, includeSeen }).then(
      (recs) => {
        if (!current) return;
        const next: FeedItem[] = [];
        for (const r of recs) {
          const item = catalogById.get(r.itemId);
          if (item) next.push({ item, score: r.score });
        }
        setItems(next);
        setSource('personal');
        setHidden(new Set());
        setShownRevision(revision);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [engine, phase, catalogById, count, includeSeen, revision]);

  const showMore = useCallback(() => setCount((c) => c + pageSize), [pageSize]);
  const hide = useCallback((itemId: number) => setHidden((h) => new Set(h).add(itemId)), []);
  const visible = includeSeen ? items : items.filter((it) => !hidden.has(it.item.id));
  return { items: visible, source, loading, error, showMore, includeSeen, setIncludeSeen, hide, revision: shownRevision };
}
