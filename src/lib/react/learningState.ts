import type { ProgressEvent } from 'localrec';
import type { LearningState } from './EngineContext';

/** The status panel's fine-tuning state before any run. */
export const IDLE_LEARNING: LearningState = { active: false, step: 0, of: 0, loss: null, last: null };

/**
 * The fine-tuning state after an engine event. A run ends on `learned` or on an `error` during
 * learning or a crash of the engine worker (then shown as failed), so the panel never stays on "step N of M".
 */
export function nextLearningState(l: LearningState, e: ProgressEvent, now: number): LearningState {
  switch (e.status) {
    case 'learning':
      return { ...l, active: true, step: e.step, of: e.of, loss: e.loss };
    case 'learned':
      return { ...l, active: false, last: { steps: e.steps, accepted: e.accepted, reason: e.reason, at: now } };
    case 'error':
      return e.during === 'learn' || e.during === 'worker' ? { ...l, active: false, last: { steps: 0, accepted: false, reason: `failed: ${e.message}`, at: now } } : l;
    default:
      return l;
  }
}
