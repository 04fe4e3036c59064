import { useMemo, useState } from 'react';
import { displayTitle } from '../coverArt';
import { useEngineCore } from 'localrec/react';
import type { Onboarding as OnboardingState } from '../useOnboarding';
import { genreOptions, onboardingGrid } from '../onboardingPicks';
import { CoverArt } from './CoverArt';

/**
 * First-visit step above the popular feed: "pick a few titles you like" from a varied grid of
 * well-known titles (the most popular, at most two per primary genre), or whole genres.
 * Picks are a selection until "Show my feed": then each picked title is recorded as a `like`,
 * and each picked genre as a `view` of its three most popular titles. A genre is a weaker, broader
 * hint than a title the person chose, and a view is the event that says "showed interest" without
 * claiming they liked those exact titles. "Skip" records nothing. Both store `onboarded: true`.
 */
export function Onboarding({ onboarding }: { onboarding: OnboardingState }) {
  const { catalog } = useEngineCore();
  const grid = useMemo(() => onboardingGrid(catalog ?? []), [catalog]);
  const genres = useMemo(() => genreOptions(catalog ?? []), [catalog]);
  const [titles, setTitles] = useState<readonly number[]>([]);
  const [pickedGenres, setPickedGenres] = useState<readonly string[]>([]);
  const toggle = <T,>(list: readonly T[], value: T): T[] => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const picked = titles.length + pickedGenres.length;
  const { saving } = onboarding;

  return (
    <section className="onboarding panel" aria-labelledby="onboarding-heading" aria-busy={saving}>
      <h2 id="onboarding-heading">Pick a few titles you like</h2>
      <p className="muted">Your picks stay on this device and shape your first feed. You can skip this.</p>
      <ul className="onboarding-grid" aria-label="Well-known titles">
        {grid.map((item) => {
          const title = displayTitle(item.title);
          const on = titles.includes(item.id);
          return (
            <li key={item.id}>
              <button
                type="button"
                className="onboarding-tile"
                aria-pressed={on}
                aria-label={title}
                aria-describedby={`onboarding-genres-${item.id}`}
                disabled={saving}
                data-item-id={item.id}
                onClick={() => setTitles((t) => toggle(t, item.id))}
              >
                <CoverArt title={title} />
                <span className="onboarding-title">{title}</span>
                <span id={`onboarding-genres-${item.id}`} className="muted small">
                  {item.genres.join(', ') || 'no genre listed'}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <fieldset className="onboarding-genres">
        <legend>Or pick genres you enjoy</legend>
        {genres.map((g) => (
          <button key={g} type="button" className="chip" aria-pressed={pickedGenres.includes(g)} disabled={saving} onClick={() => setPickedGenres((p) => toggle(p, g))}>
            {g}
          </button>
        ))}
      </fieldset>
      {onboarding.error && (
        <p className="error-text" role="alert">
          {onboarding.error}
        </p>
      )}
      <div className="onboarding-actions">
        <button type="button" className="primary" disabled={picked === 0 || saving} onClick={() => void onboarding.finish(titles, pickedGenres)}>
          {saving ? 'Saving your picks…' : 'Show my feed'}
        </button>
        <button type="button" disabled={saving} onClick={() => void onboarding.skip()}>
          Skip
        </button>
        <span className="muted small" aria-live="polite">
          {picked === 0 ? 'Nothing picked yet.' : `${titles.length} title${titles.length === 1 ? '' : 's'} and ${pickedGenres.length} genre${pickedGenres.length === 1 ? '' : 's'} picked.`}
        </span>
      </div>
    </section>
  );
}
