import { describe, expect, it } from 'vitest';
import { addYearBias, bucketLabel, fitYearBias, itemYears, yearBiasOf, type ItemYears } from './personYearBias';

/** 40 items: item i released in 1960 + i (1961 … 2000). */
const CATALOG = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, year: 1961 + i }));
const YEARS = itemYears(CATALOG, 40) as ItemYears;
const SETTINGS = { items: 10, l2: 0.1, minGapYears: 0 };
/** The model's scores after each of the newest `n` prefixes: flat (every candidate equally likely). */
const flat = (n: number) => Array.from({ length: n }, () => new Float32Array(41));

describe('itemYears', () => {
  it('reads the catalog years, unknown as NaN; null without two distinct years; excluded items are not rankable', () => {
    const y = itemYears([{ id: 1, year: 1990 }, { id: 2, year: null }, { id: 3, year: 1995 }, { id: 9, year: 2000 }], 3) as ItemYears;
    expect(Array.from(y.years)).toEqual([NaN, 1990, NaN, 1995]);
    expect(y.rankable).toBeNull();
    expect(itemYears([{ id: 1, year: 1990 }, { id: 2, year: 1990 }, { id: 3, year: null }], 3)).toBeNull();
    expect(itemYears([], 3)).toBeNull();
    expect(Array.from(itemYears(CATALOG, 40, new Set([2, 5]))?.rankable?.slice(0, 6) ?? [])).toEqual([0, 1, 0, 1, 1, 0]);
  });
});

describe('fitYearBias', () => {
  it('someone who picks newer films than the model expects gets a bias toward their newest years, validated on the newest item', () => {
    // Old history, then ten films from 1996-2000 while the model spreads its mass over 1961-2000.
    const seq = [1, 2, 3, 36, 37, 38, 39, 40, 35, 36 - 1, 37 - 1, 38 - 1, 39 - 1];
    const fit = fitYearBias(flat(10), seq, YEARS, SETTINGS);
    expect(fit.outcome).toBe('kept');
    expect(fit.gapYears).toBeGreaterThan(10);
    expect(fit.edges).toEqual([1982, 1992, 1996, 1997, 1998, 1999, 2000]);
    const bias = fit.bias as Float64Array;
    expect(bias[7]).toBeGreaterThan(0); // 2000
    expect(bias[0]).toBeLessThan(0); // before 1982
    const scores = addYearBias(new Float32Array(41), fit, YEARS);
    expect(scores[40]).toBeGreaterThan(scores[5]);
    expect(scores[0]).toBe(0); // padding untouched
    // Deterministic: the same history and scores give the same bias.
    expect(Array.from(fitYearBias(flat(10), seq, YEARS, SETTINGS).bias as Float64Array)).toEqual(Array.from(bias));
  });

  it('stays off for someone whose films are not newer than the model expects, or not by minGapYears', () => {
    const old = [30, 31, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const a = fitYearBias(flat(10), old, YEARS, SETTINGS);
    expect(a).toMatchObject({ bias: null, outcome: 'not-newer' });
    expect(a.gapYears).toBeLessThan(0);
    expect(addYearBias(Float32Array.from([0, 1, 2]), a, YEARS)).toEqual(Float32Array.from([0, 1, 2]));
    const recent = [1, 2, 3, 36, 37, 38, 39, 40, 35, 34, 33, 32, 31];
    expect(fitYearBias(flat(10), recent, YEARS, { ...SETTINGS, minGapYears: 100 }).outcome).toBe('not-newer');
  });

  it('is dropped when, fitted without the newest item, it makes that item less likely', () => {
    // Nine new films, then an old one: the bias toward new years fails the newest item.
    const seq = [1, 2, 3, 36, 37, 38, 39, 40, 35, 34, 33, 32, 1 + 4];
    const fit = fitYearBias(flat(10), seq, YEARS, SETTINGS);
    expect(fit.outcome).toBe('not-validated');
    expect(fit.bias).toBeNull();
    expect(fit.gapYears).toBeGreaterThan(0);
  });

  it('needs two items after a first one; fewer prefixes than items use what there is', () => {
    expect(fitYearBias(flat(1), [30, 40], YEARS, SETTINGS).outcome).toBe('too-few-items');
    expect(fitYearBias(flat(2), [39, 40], YEARS, SETTINGS).outcome).toBe('too-few-items'); // the first item has no items before it
    expect(fitYearBias(flat(3), [2, 39, 40, 38], YEARS, SETTINGS).outcome).toBe('kept');
    // A catalog item without a year is no case; the person's newest known year anchors the edges.
    const partial = itemYears([...CATALOG.slice(0, 39), { id: 40, year: null }], 40) as ItemYears;
    expect(fitYearBias(flat(3), [2, 39, 40, 38], partial, SETTINGS).edges.at(-1)).toBe(1999);
  });

  it('items the feed never shows get no mass: the expected year is over the rankable items only', () => {
    const seq = [1, 2, 3, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
    const all = fitYearBias(flat(10), seq, YEARS, SETTINGS);
    // Without the old films (ids 1-19 not rankable, except those in the history) the same items are older than expected.
    const recentOnly = itemYears(CATALOG, 40, new Set(Array.from({ length: 16 }, (_, i) => i + 4))) as ItemYears;
    const fewer = fitYearBias(flat(10), seq, recentOnly, SETTINGS);
    expect(fewer.gapYears).toBeLessThan(all.gapYears);
  });
});

describe('the bias in words', () => {
  it('names each bucket\'s years and what the bias does to an item of a given year', () => {
    const edges = [1980, 1990, 1994, 1995, 1996, 1997, 1998];
    expect(edges.map((_, k) => bucketLabel(edges, k)).concat(bucketLabel(edges, 7))).toEqual(['before 1980', '1980–1989', '1990–1993', '1994', '1995', '1996', '1997', '1998 on']);
    const fit = { bias: Float64Array.from([0, 0, -0.2, 0, 0, 0, 0.3, 0]), edges, gapYears: 1, outcome: 'kept' as const };
    expect(yearBiasOf(fit, 1997)).toEqual({ years: '1997', boost: 0.3 });
    expect(yearBiasOf(fit, 1991)).toEqual({ years: '1990–1993', boost: -0.2 });
    expect(yearBiasOf(fit, null)).toBeNull();
    expect(yearBiasOf({ ...fit, bias: null, outcome: 'not-newer' }, 1997)).toBeNull();
    expect(yearBiasOf(null, 1997)).toBeNull();
  });
});
