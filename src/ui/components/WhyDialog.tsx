import { useEffect, useState } from 'react';
import type { CatalogEntry, Explanation } from 'localrec';
import { displayTitle } from '../coverArt';
import { useEngineCore } from 'localrec/react';
import { useModalDialog } from './useModalDialog';

interface Props {
  item: CatalogEntry | null;
  onClose(): void;
}

/**
 * "Why this?" for one feed card: the engine's summary of the learned signal and the history
 * titles that drove the pick, with their share of the attribution. Native <dialog>.
 */
export function WhyDialog({ item, onClose }: Props) {
  const { engine, catalogById } = useEngineCore();
  const ref = useModalDialog(item !== null);
  const [explanation, setExplanation] = useState<Explanation | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setExplanation(null);
    setError(null);
    if (!item || !engine) return;
    let current = true;
    engine.explain(item.id).then(
      (e) => current && setExplanation(e),
      (err: unknown) => current && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      current = false;
    };
  }, [item, engine]);

  const title = item ? displayTitle(item.title) : '';
  return (
    <dialog ref={ref} className="why" onClose={onClose} aria-labelledby="why-title">
      {item && (
        <div aria-busy={explanation === null && error === null}>
          <h2 id="why-title">Why “{title}”?</h2>
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
          {!explanation && !error && <p className="muted">Working it out on your device…</p>}
          {explanation && (
            <>
              <p data-testid="why-summary">{explanation.summary}</p>
              {explanation.because.length > 0 ? (
                <>
                  <p>Picked mostly because of these titles in your history:</p>
                  <ul className="why-list" aria-label="Titles that drove this pick">
                    {explanation.because.map((b) => {
                      const percent = Math.round(b.weight * 100);
                      const source = catalogById.get(b.itemId);
                      return (
                        <li key={b.itemId}>
                          <span className="why-title">{source ? displayTitle(source.title) : `Item ${b.itemId}`}</span>
                          <span className="why-bar" aria-hidden="true">
                            <span style={{ width: `${percent}%` }} />
                          </span>
                          <span className="why-percent">{percent}%</span>
                        </li>
                      );
                    })}
                  </ul>
                </>
              ) : (
                <p className="muted">
                  No title in your history points at this one: it is popular with many people and adds variety to your feed. Like a few titles
                  and this will show which of them led here.
                </p>
              )}
            </>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </dialog>
  );
}
