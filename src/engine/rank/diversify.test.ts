import { describe, expect, it } from 'vitest';
import { diversify, genreBitsets, explorationJitter, genreSimilarity, noveltyScore, DEFAULT_DISCOVER, DISCOVER_WEIGHTS, type ItemTraits } from './diversify';

const traits: Record<number, ItemTraits> = {
  1: { genres: ['X'], popularity: 15 },
  2: { genres: ['X'], popularity: 15 },
  3: { genres: ['Y'], popularity: 15 },
  4: { genres: ['X', 'Y'], popularity: 3 },
};
const t = (id: number) => traits[id];
const ids = (l: { itemId: number }[]) => l.map((x) => x.itemId);

describe('MMR re-ranking (hand-computed)', () => {
  // relevance 1, 0.9, 0.5 -> min-max 1, 0.8, 0
  const cands = [{ itemId: 1, relevance: 1 }, { itemId: 2, relevance: 0.9 }, { itemId: 3, relevance: 0.5 }];
  const mmrOnly = { relevanceKeep: 1, diversity: 1, novelty: 0 };

  it('discover = 0 is pure relevance order', () => {
    expect(ids(diversify(cands, t, 0, 3, 15, mmrOnly))).toEqual([1, 2, 3]);
  });

  it('discover = 1: after A (X), C (Y, value 0 + 1) beats B (X, value 0.8 + 0)', () => {
    // step 1: A 1 + 1 = 2, B 0.8 + 1, C 0 + 1 -> A; step 2: B 0.8 + (1 - 1) = 0.8 < C 0 + (1 - 0) = 1
    expect(ids(diversify(cands, t, 1, 3, 15, mmrOnly))).toEqual([1, 3, 2]);
  });

  it('discover = 0.1: the diversity bonus (0.1) is too small to pass B (0.8)', () => {
    expect(ids(diversify(cands, t, 0.1, 3, 15, mmrOnly))).toEqual([1, 2, 3]);
  });

  it('novelty boost: a less popular item overtakes a slightly more relevant one', () => {
    // min-max: A 1, D 0.9, C 0; novelty: pop 15 of 15 -> 0, pop 3 of 15 -> 1 - ln 4 / ln 16 = 0.5
    const c = [{ itemId: 1, relevance: 1 }, { itemId: 4, relevance: 0.9 }, { itemId: 3, relevance: 0 }];
    expect(noveltyScore(3, 15)).toBeCloseTo(0.5, 12);
    const w = { relevanceKeep: 1, diversity: 0, novelty: 1 };
    expect(ids(diversify(c, t, 1, 3, 15, w))).toEqual([4, 1, 3]); // D 1.4 > A 1 > C 0
    expect(ids(diversify(c, t, 0.1, 3, 15, w))).toEqual([1, 4, 3]); // D 0.95 < A 1
  });

  it('temperature reads relevance as logits: exp((s - max) / T)', () => {
    // logits 2, 1, 0 -> 1, e^-1 = 0.368, e^-2 = 0.135; diversity 0.3: C gets 0.135 + 0.3 = 0.435 > B 0.368
    const c = [{ itemId: 1, relevance: 2 }, { itemId: 2, relevance: 1 }, { itemId: 3, relevance: 0 }];
    const w = { relevanceKeep: 1, diversity: 0.3, novelty: 0, temperature: 1 };
    expect(ids(diversify(c, t, 1, 3, 15, w))).toEqual([1, 3, 2]);
    // with min-max (1, 0.5, 0) the same weights keep B: 0.5 > 0 + 0.3
    expect(ids(diversify(c, t, 1, 3, 15, { ...w, temperature: undefined }))).toEqual([1, 2, 3]);
  });

  it('exploration jitter is deterministic per (item, seed), in [0, 1), and varies with the seed', () => {
    expect(explorationJitter(5, 1)).toBe(explorationJitter(5, 1));
    const xs = Array.from({ length: 200 }, (_, i) => explorationJitter(i + 1, 7));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeGreaterThan(0.4);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeLessThan(0.6);
    expect(explorationJitter(5, 1)).not.toBe(explorationJitter(5, 2));
  });

  it('keeps every candidate once and honours take', () => {
    const c = [1, 2, 3, 4].map((itemId) => ({ itemId, relevance: 5 - itemId }));
    const out = diversify(c, t, 1, 3, 15);
    expect(out).toHaveLength(3);
    expect(new Set(ids(out)).size).toBe(3);
    expect(ids(diversify(c, t, 1, 10, 15)).sort()).toEqual([1, 2, 3, 4]);
  });

  it('genre similarity is Jaccard', () => {
    expect(genreSimilarity(['X'], ['X', 'Y'])).toBe(0.5);
    expect(genreSimilarity([], ['X'])).toBe(0);
  });

  it('the default setting is one of the measured settings and the weights are sane', () => {
    expect([0, 0.25, 0.5, 0.75, 1]).toContain(DEFAULT_DISCOVER);
    expect(DISCOVER_WEIGHTS.relevanceKeep).toBeGreaterThan(0);
  });
});

describe('genreBitsets', () => {
  it('gives exactly genreSimilarity for any genre lists, past 32 distinct genres and with repeats', () => {
    let seed = 7;
    const rand = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    const lists = Array.from({ length: 60 }, () => Array.from({ length: rand(6) }, () => `g${rand(70)}`));
    lists.push([], ['g1', 'g1'], ['g1']);
    const sets = genreBitsets(lists);
    for (let a = 0; a < lists.length; a++) {
      for (let b = 0; b < lists.length; b++) {
        const expected = genreSimilarity([...new Set(lists[a])], [...new Set(lists[b])]);
        expect(sets.similarity(a, b)).toBeCloseTo(expected, 12);
      }
    }
  });
});

