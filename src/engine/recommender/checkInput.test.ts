import { describe, expect, it } from 'vitest';
import { CatalogIndex } from '../rank/rankFeed';
import { checkEvent, checkSettingsPatch } from './checkInput';

const catalog = new CatalogIndex([{ id: 3, externalId: '3', title: 'T', year: 2000, genres: [], popularity: 1 }]);

describe('checkEvent', () => {
  it('returns a clean copy (extra fields dropped) of a valid event', () => {
    expect(checkEvent({ itemId: 3, type: 'like', at: 5, extra: '<script>' }, catalog)).toEqual({ itemId: 3, type: 'like', at: 5 });
  });
  it('names what is wrong', () => {
    expect(() => checkEvent({ itemId: 4, type: 'like', at: 5 }, catalog)).toThrow(/itemId 4 is not in the catalog/);
    expect(() => checkEvent({ itemId: 3, type: 'love', at: 5 }, catalog)).toThrow(/type "love"/);
    expect(() => checkEvent({ itemId: 3, type: 'view', at: -1 }, catalog)).toThrow(/"at" must be a time/);
    expect(() => checkEvent(null, catalog)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('checkSettingsPatch', () => {
  it('accepts known keys in range and rejects anything else by name', () => {
    expect(checkSettingsPatch({ discover: 1, autoLearn: false })).toEqual({ discover: 1, autoLearn: false });
    expect(() => checkSettingsPatch({ discover: 2 })).toThrow(/"discover" = 2/);
    expect(() => checkSettingsPatch({ theme: 'dark' })).toThrow(/"theme"/);
  });
});
