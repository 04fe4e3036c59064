import { useId, useMemo, useState } from 'react';
import { displayTitle } from '../coverArt';
import { useEngineCore } from 'localrec/react';

const MAX_RESULTS = 8;

/** Finds titles in the catalog (in memory, nothing is sent anywhere) and likes them. */
export function SearchBox() {
  const { catalog, record } = useEngineCore();
  const [query, setQuery] = useState('');
  const [liked, setLiked] = useState<ReadonlySet<number>>(new Set());
  const inputId = useId();
  const results = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (q.length < 2 || !catalog) return [];
    return catalog.filter((it) => it.title.toLowerCase().includes(q) || displayTitle(it.title).toLowerCase().includes(q)).slice(0, MAX_RESULTS);
  }, [catalog, query]);

  return (
    <section className="search" aria-label="Search titles">
      <label htmlFor={inputId}>Find a title you like</label>
      <input id={inputId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. Star Wars" autoComplete="off" />
      {results.length > 0 && (
        <ul className="search-results" aria-label="Search results">
          {results.map((it) => (
            <li key={it.id}>
              <span>
                {displayTitle(it.title)} {it.year !== null && <span className="muted">({it.year})</span>}
              </span>
              <button
                type="button"
                className="like"
                disabled={liked.has(it.id)}
                onClick={() => {
                  setLiked((s) => new Set(s).add(it.id));
                  void record(it.id, 'like').catch(() => setLiked((s) => new Set([...s].filter((id) => id !== it.id))));
                }}
              >
                {liked.has(it.id) ? 'Liked' : 'Like'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {query.trim().length >= 2 && results.length === 0 && <p className="hint">No title matches “{query.trim()}”.</p>}
    </section>
  );
}
