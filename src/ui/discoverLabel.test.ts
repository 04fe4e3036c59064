import { describe, expect, it } from 'vitest';
import { discoverLabel } from './discoverLabel';

describe('discoverLabel', () => {
  it('names the five stops of the control and the values between them', () => {
    expect([0, 0.25, 0.5, 0.75, 1].map(discoverLabel)).toEqual(['Familiar', 'Mostly familiar', 'Balanced', 'Mostly new', 'Discover']);
    expect(discoverLabel(0.1)).toBe('Familiar');
    expect(discoverLabel(0.6)).toBe('Balanced');
    expect(discoverLabel(0.9)).toBe('Discover');
  });
});
