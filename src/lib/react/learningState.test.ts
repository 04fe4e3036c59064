import { describe, expect, it } from 'vitest';
import { IDLE_LEARNING, nextLearningState } from './learningState';

describe('nextLearningState', () => {
  it('a failed run ends "learning" and is shown as failed with the reason', () => {
    const running = nextLearningState(IDLE_LEARNING, { status: 'learning', step: 3, of: 8, loss: 2.5 }, 1);
    expect(running).toMatchObject({ active: true, step: 3, of: 8 });
    const failed = nextLearningState(running, { status: 'error', during: 'learn', code: 'STORAGE_FAILED', message: 'Could not save the fine-tuned model (quota).' }, 2);
    expect(failed.active).toBe(false);
    expect(failed.last).toEqual({ steps: 0, accepted: false, reason: 'failed: Could not save the fine-tuned model (quota).', at: 2 });
  });

  it('a crash of the engine worker mid-run ends "learning" too', () => {
    const running = nextLearningState(IDLE_LEARNING, { status: 'learning', step: 2, of: 8, loss: 2.5 }, 1);
    const crashed = nextLearningState(running, { status: 'error', during: 'worker', code: 'WORKER_CRASHED', message: 'The engine stopped; it was restarted.' }, 3);
    expect(crashed).toMatchObject({ active: false, last: { accepted: false, reason: 'failed: The engine stopped; it was restarted.' } });
  });

  it('a finished run records its outcome; other errors and events leave it alone', () => {
    const done = nextLearningState({ ...IDLE_LEARNING, active: true }, { status: 'learned', steps: 8, accepted: true, reason: 'kept' }, 5);
    expect(done).toEqual({ ...IDLE_LEARNING, active: false, last: { steps: 8, accepted: true, reason: 'kept', at: 5 } });
    expect(nextLearningState(done, { status: 'error', during: 'storage', code: 'STORAGE_FAILED', message: 'blocked' }, 6)).toBe(done);
    expect(nextLearningState(done, { status: 'ready', backend: 'wasm', adapter: null }, 6)).toBe(done);
  });
});
