import { describe, expect, it } from 'vitest';
import { onboardingState } from './useOnboarding';

const FRESH = { saving: false, closed: false, failed: false, onboarded: false, historyLength: 0 };

describe('onboardingState', () => {
  it('offers onboarding only on a fresh profile: not onboarded and no history', () => {
    expect(onboardingState(FRESH)).toBe('open');
    expect(onboardingState({ ...FRESH, onboarded: true })).toBe('done');
    expect(onboardingState({ ...FRESH, historyLength: 2 })).toBe('done');
  });
  it('is unknown until settings and history are read, and when the model failed', () => {
    expect(onboardingState({ ...FRESH, onboarded: null })).toBe('unknown');
    expect(onboardingState({ ...FRESH, historyLength: null })).toBe('unknown');
    expect(onboardingState({ ...FRESH, failed: true })).toBe('unknown');
  });
  it('stays open while the picks are recorded, and closes at once when finished or skipped', () => {
    expect(onboardingState({ ...FRESH, saving: true, historyLength: 3 })).toBe('open');
    expect(onboardingState({ ...FRESH, closed: true })).toBe('done');
  });
});
