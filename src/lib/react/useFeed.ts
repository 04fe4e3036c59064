import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { CatalogEntry, Recommendation } from 'localrec';
import { useEngineCore, useEngineSelector } from './useEngine';

/** One entry of a feed: the catalog item and its ranking score. */
export interface FeedItem {
  item: CatalogEntry;
  score: number;
  /** Shown in a new-item slot (no one has interacted with it yet; ranked from its content). */
  isNew: boolean;
}

/** What `useFeed()` returns: the shown list and the controls over it. */
export interface Feed {
  items: FeedItem[];
  /** 'popular' = the cold-start list (before the model is ready or before any signal); 'model' = personal. */
  source: Recommendation['source'];
  loading: boolean;
  error: string | null;
  showMore(): void;
  includeSeen: boolean;
  setIncludeSeen(value: boolean): void;
  /** Hides an item at once (before the re-rank arrives), e.g. right after "Not interested". */
  hide(itemId: number): void;
  /** Engine `revision` the shown ranking was computed for (-1 before the first ranking). */
  revision: number;
  /** The shown list was computed with the model loaded. */
  modelReady: boolean;
  /** The familiar (0) ... discover (1) setting; null until the stored setting is read. */
  discover: number | null;
  /** Re-ranks at once with the new setting and stores it (`setSettings`). */
  setDiscover(value: number): void;
  /** The discover setting the shown list was ranked with (null: the engine's stored one). */
  shownDiscover: number | null;
  /** The `includeSeen` the shown list was ranked with. */
  shownIncludeSeen: boolean;
}

/**
 * The feed, re-read from the engine whenever history or weights change. The engine answers as soon
 * as the catalog is in (popular-and-varied list) and ranks with the model once it is ready, so the
 * first paint never waits on the model. Seen and disliked items stay out unless `includeSeen`.
 * The discover setting starts from the stored one; `setDiscover` re-ranks at once and stores it.
 * `discover` fixes the setting for this feed instead (the stored one is not changed).
 *
 * @example
 * const feed = useFeed(12);
 * feed.items.map(({ item }) => item.title);
 */
export function useFeed(pageSize = 12, { discover: fixedDiscover }: { discover?: number } = {}): Feed {
  const { engine, phase, catalogById } = useEngineCore();
  const revision = useEngineSelector((l) => l.revision);
  const personChange = useEngineSelector((l) => l.personChange);
  /** The revision of the last ranking asked for: an effect run with the same one is a page-only change. */
  const askedRevision = useRef(-1);
  const [count, setCount] = useState(pageSize);
  const [includeSeen, setIncludeSeen] = useState(false);
  const [items, setItems] = useState<FeedItem[]>([]);
  const [source, setSource] = useState<Feed['source']>('popular');
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [shownRevision, setShownRevision] = useState(-1);
  const [modelReady, setModelReady] = useState(false);
  const storedDiscover = useEngineSelector((l) => l.state?.settings.discover);
  const [chosenDiscover, setChosenDiscover] = useState<number | null>(null);
  const [shownDiscover, setShownDiscover] = useState<number | null>(null);
  const [shownIncludeSeen, setShownIncludeSeen] = useState(false);
  const discover = fixedDiscover ?? chosenDiscover ?? storedDiscover ?? null;
  // Once the stored setting caught up with the choice, follow the store again (another tab,
  // an import or "delete everything" may change it later).
  useEffect(() => {
    if (chosenDiscover !== null && storedDiscover === chosenDiscover) setChosenDiscover(null);
  }, [chosenDiscover, storedDiscover]);

  useEffect(() => {
    if (!engine || catalogById.size === 0) return;
    let current = true;
    const readyAtRequest = phase === 'ready';
    const urgent = askedRevision.current === revision || personChange;
    askedRevision.current = revision;
    setLoading(true);
    engine.recommend({ count, includeSeen, discover: discover ?? undefined }).then(
      (recs) => {
        if (!current) return;
        const next: FeedItem[] = [];
        for (const r of recs) {
          const item = catalogById.get(r.itemId);
          if (item) next.push({ item, score: r.score, isNew: r.source === 'new' });
        }
        // What the person just did on this page (the slider, "Show more", the seen toggle, a like
        // or a view) renders at once, in this task: it is what they wait for, and a transition
        // would let worker messages and frames go first (measured: bench:browser). New weights
        // and other tabs' changes render in a transition, in slices, so the page never blocks on
        // them (an urgent render there made > 100 ms long tasks under heavy load while
        // fine-tuning: e2e/longtasks.spec.ts).
        const apply = urgent ? flushSync : startTransition;
        apply(() => {
          setItems(next);
          setSource(recs.some((r) => r.source === 'model') ? 'model' : 'popular');
          setHidden(new Set());
          setShownRevision(revision);
          setModelReady(readyAtRequest);
          setShownDiscover(discover);
          setShownIncludeSeen(includeSeen);
          setError(null);
          setLoading(false);
        });
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
  }, [engine, phase, catalogById, count, includeSeen, revision, personChange, discover]);

  // Urgent like the other controls: the new cards render with the answer (flushSync above); a
  // transition here only let a frame go first (the app renders a long list visible-first).
  const showMore = useCallback(() => setCount((c) => c + pageSize), [pageSize]);
  const setDiscover = useCallback(
    (value: number) => {
      setChosenDiscover(value);
      engine?.setSettings({ discover: value }).catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    },
    [engine],
  );
  const hide = useCallback((itemId: number) => setHidden((h) => new Set(h).add(itemId)), []);
  const visible = includeSeen ? items : items.filter((it) => !hidden.has(it.item.id));
  return { items: visible, source, loading, error, showMore, includeSeen, setIncludeSeen, hide, revision: shownRevision, modelReady, discover, setDiscover, shownDiscover, shownIncludeSeen };
}
