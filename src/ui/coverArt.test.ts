import { describe, expect, it } from 'vitest';
import { coverDesign, displayTitle, hashString } from './coverArt';

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
  it('moves a trailing article to the front for display', () => {
    expect(displayTitle('Sixth Sense, The')).toBe('The Sixth Sense');
    expect(displayTitle("Chambre, L'")).toBe("L'Chambre");
    expect(displayTitle('Heat')).toBe('Heat');
    expect(displayTitle('Crouching Tiger, Hidden Dragon')).toBe('Crouching Tiger, Hidden Dragon');
  });
});
