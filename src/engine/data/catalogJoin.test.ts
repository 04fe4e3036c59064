import { describe, expect, it } from 'vitest';
import { joinCatalogs, normalizeTitle } from './catalogJoin';
import { splitTitleYear } from './catalog';
import { decodeLatin1OrUtf8 } from './encoding';

const entry = (id: string, raw: string) => ({ id, ...splitTitleYear(raw) });

describe('normalizeTitle', () => {
  it('moves a trailing article to the front', () => {
    expect(normalizeTitle('Shawshank Redemption, The')).toBe('the shawshank redemption');
    expect(normalizeTitle('Postino, Il')).toBe('il postino');
    expect(normalizeTitle("City of Lost Children, The: A Fable")).toBe('the city of lost children a fable');
  });
  it('drops parenthesised alternative titles and a.k.a.', () => {
    expect(normalizeTitle('Seven (Se7en)')).toBe('seven');
    expect(normalizeTitle('Shanghai Triad (Yao a yao yao dao waipo qiao)')).toBe('shanghai triad');
    expect(normalizeTitle('Jungle2Jungle (a.k.a. Jungle 2 Jungle)')).toBe('jungle2jungle');
  });
  it('folds accents, case, "&" and punctuation', () => {
    expect(normalizeTitle('Cité des enfants perdus, La')).toBe('la cite des enfants perdus');
    expect(normalizeTitle('Mr. Holland\'s Opus')).toBe('mr holland s opus');
    expect(normalizeTitle('Romy & Michele')).toBe('romy and michele');
  });
  it('is the same for both spellings of a Latin-1 title once decoded', () => {
    const latin1 = Uint8Array.from([0x43, 0x69, 0x74, 0xe9]); // "Cité" in ISO-8859-1
    expect(normalizeTitle(decodeLatin1OrUtf8(latin1))).toBe(normalizeTitle('Cité'));
  });
});

describe('joinCatalogs', () => {
  const ml1m = [
    entry('318', 'Shawshank Redemption, The (1994)'),
    entry('47', 'Seven (Se7en) (1995)'),
    entry('1', 'Toy Story (1995)'),
    entry('2', 'Hamlet (1990)'),
    entry('3', 'Hamlet (1996)'),
    entry('4', 'Twins (1988)'),
    entry('5', 'Twins (1988)'),
    entry('6', 'Matrix, The (1999)'),
  ];
  it('joins by normalised title and year, counting each way', () => {
    const ml100k = [
      entry('64', 'Shawshank Redemption, The (1994)'),
      entry('11', 'Se7en (1995)'), // a different main title: not guessed
      entry('12', 'Seven (1995)'),
      entry('1', 'Toy Story (1995)'),
      entry('13', 'Hamlet (1996)'),
      entry('14', 'Toy Story (1996)'), // year off by one
      entry('15', 'Twins (1988)'), // two targets: ambiguous
      entry('16', 'Unknown Film (1990)'),
      entry('17', 'The Matrix (1999)'),
    ];
    const j = joinCatalogs(ml100k, ml1m);
    expect(Object.fromEntries(j.map)).toEqual({ '64': '318', '12': '47', '1': '1', '13': '3', '14': '1', '17': '6' });
    expect(j.exact).toBe(5);
    expect(j.yearOffByOne).toBe(1);
    expect(j.ambiguous).toEqual(['15']);
    expect(j.unmatched).toEqual(['11', '16']);
  });
  it('prefers the exact year over a neighbour', () => {
    const j = joinCatalogs([entry('a', 'Hamlet (1990)')], ml1m);
    expect(j.map.get('a')).toBe('2');
    expect(j.yearOffByOne).toBe(0);
  });
  it('does not join without a year match', () => {
    const j = joinCatalogs([{ id: 'x', title: 'Toy Story', year: null }], ml1m);
    expect(j.map.size).toBe(0);
    expect(j.unmatched).toEqual(['x']);
  });
});
