import type { EngineSnapshot, EngineState, InteractionEvent } from './types';

/**
 * Inserts `added` into a history kept in stored order (by `at`, ties in insertion order): each
 * new event goes after every event with the same or an earlier `at`. Returns a new array.
 */
export function insertEvents(history: readonly InteractionEvent[], added: readonly InteractionEvent[]): InteractionEvent[] {
  const out = [...history];
  for (const e of added) {
    let i = out.length;
    while (i > 0 && out[i - 1].at > e.at) i--;
    out.splice(i, 0, e);
  }
  return out;
}

/**
 * The state after `snapshot`: `state` itself when the snapshot is not newer (a late message),
 * the next state when it follows on, and `null` when it cannot be applied (no state yet, a missed
 * version, a replaced history, or counts that disagree): then re-read with `Recommender.state()`.
 *
 * @example
 * const next = applySnapshot(current, event.snapshot);
 * if (next === null) current = await engine.state(); else current = next;
 */
export function applySnapshot(state: EngineState | null, snapshot: EngineSnapshot): EngineState | null {
  if (state && snapshot.version <= state.version) return state;
  if (!state || snapshot.version !== state.version + 1) return null;
  const change = snapshot.history;
  let history = state.history;
  if (change.kind === 'replaced') return null;
  if (change.kind === 'appended') history = insertEvents(history, change.events);
  if (history.length !== snapshot.status.interactions) return null;
  return { version: snapshot.version, status: snapshot.status, settings: snapshot.settings, history };
}
