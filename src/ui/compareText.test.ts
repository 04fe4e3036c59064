import { describe, expect, it } from 'vitest';
import { compareText } from './compareText';

describe('compareText', () => {
  it('orders by code units and is 0 for equal strings', () => {
    expect(['Sci-Fi', 'Action', 'Drama', 'Action'].sort(compareText)).toEqual(['Action', 'Action', 'Drama', 'Sci-Fi']);
    expect(compareText('War', 'War')).toBe(0);
  });
});
