import { describe, expect, it } from 'vitest';
import { formatTime } from './formatTime';

describe('formatTime', () => {
  it('formats local time with zero padding', () => {
    expect(formatTime(new Date(2026, 10, 7, 9, 5, 3).getTime())).toBe('2026-11-07 09:05:03');
    expect(formatTime(new Date(2026, 0, 31, 23, 59, 59).getTime())).toBe('2026-01-31 23:59:59');
  });
  it('says never for null', () => {
    expect(formatTime(null)).toBe('never');
  });
});
