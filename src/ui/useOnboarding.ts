import { useCallback, useState } from 'react';
import { useEngineCore, useEngineSelector } from 'localrec/react';
import { onboardingEvents } from './onboardingPicks';


export interface Onboarding {
  /** `unknown` until settings and history are read (or if the model failed to load); `open` on a first visit; `done` otherwise. */
  state: 'unknown' | 'open' | 'done';
  /** Recording the picks. */
  saving: boolean;
  error: string | null;
  /** Records the picks (see `onboardingEvents`) and marks onboarding done. */
  finish(titles: readonly number[], genres: readonly string[]): Promise<void>;
  /** Marks onboarding done without recording anything. */
  skip(): Promise<void>;
}

/**
 * Whether to offer onboarding: only while the stored settings say it was neither finished nor
 * skipped and the history is empty (someone who already liked titles in the feed has started).
 * Finishing or skipping stores `onboarded: true`, so it never comes back, also after a reload.
 */
export function useOnboarding(): Onboarding {
  const { engine, phase, catalog, record } = useEngineCore();
  // Stored data needs no model: offer onboarding while the model still loads.
  // Primitives: the page (which calls this hook) re-renders only when one of them changes.
  const onboarded = useEngineSelector((l) => l.state?.settings.onboarded ?? null);
  const historyEmpty = useEngineSelector((l) => (l.state ? l.state.history.length === 0 : null));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [closed, setClosed] = useState(false);

  const finish = useCallback(
    async (titles: readonly number[], genres: readonly string[]) => {
      if (!engine) return;
      setSaving(true);
      setError(null);
      try {
        for (const e of onboardingEvents(catalog ?? [], titles, genres)) await record(e.itemId, e.type);
        await engine.setSettings({ onboarded: true });
        setClosed(true);
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
      } finally {
        setSaving(false);
      }
    },
    [engine, catalog, record],
  );
  const skip = useCallback(async () => {
    if (!engine) return;
    setError(null);
    try {
      await engine.setSettings({ onboarded: true });
      setClosed(true);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [engine]);

  const state = onboardingState({ saving, closed, failed: phase === 'error', onboarded, historyLength: historyEmpty === null ? null : historyEmpty ? 0 : 1 });
  return { state, saving, error, finish, skip };
}

/**
 * The rule behind `useOnboarding().state`. `onboarded`/`historyLength` are null until read;
 * `closed`: finished or skipped in this page (the stored setting may not be re-read yet);
 * `saving`: the picks are being recorded (the history is no longer empty, the step stays).
 */
export function onboardingState(s: { saving: boolean; closed: boolean; failed: boolean; onboarded: boolean | null; historyLength: number | null }): Onboarding['state'] {
  if (s.saving) return 'open';
  if (s.failed || s.onboarded === null || s.historyLength === null) return 'unknown';
  if (s.closed) return 'done';
  return !s.onboarded && s.historyLength === 0 ? 'open' : 'done';
}
