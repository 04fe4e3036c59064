import { describe, expect, it } from 'vitest';
import { coverDesign, hashString } from './coverArt';

describe('coverArt', () => {
  it('hashes with FNV-1a', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
  it('is deterministic and differs between titles', () => {
    expect(coverDesign('Toy Story')).toEqual(coverDesign('Toy Story'));
    expect(coverDesign('Toy Story').hueA).not.toBe(coverDesign('Heat').hueA);
  });
  it('takes initials from the first two words, skipping a leading article', () => {
    expect(coverDesign('The Matrix Reloaded').initials).toBe('MR');
    expect(coverDesign('Heat').initials).toBe('H');
    expect(coverDesign('...').initials).toBe('?');
  });
});
