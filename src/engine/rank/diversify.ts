/** What re-ranking needs to know about an item. */
export interface ItemTraits {
  genres: readonly string[];
  popularity: number;
}

/** Share of genres two items have in common (Jaccard); 0 when either has none. */
export function genreSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let common = 0;
  for (const g of a) if (b.includes(g)) common++;
  return common / (a.length + b.length - common);
}

/** 0 for the most popular item ... 1 for an item nobody interacted with (log scale). */
export function noveltyScore(popularity: number, maxPopularity: number): number {
  if (maxPopularity <= 0) return 1;
  return 1 - Math.log1p(Math.max(0, popularity)) / Math.log1p(maxPopularity);
}

/** How much each part of the re-ranking value counts at discover = 1. */
export interface DiscoverWeights {
  /** Share of relevance kept at discover = 1 (1 = relevance never fades). */
  relevanceKeep: number;
  diversity: number;
  novelty: number;
  /** Weight of a seeded random jitter in [0, 1) (a little exploration); absent = 0. */
  exploration?: number;
  /**
   * When set, relevance is read as logits: rel = exp((s - max s) / temperature), the item's
   * probability relative to the best candidate (trades diversity against expected hits).
   * Absent: rel is min-max normalised over the candidates.
   */
  temperature?: number;
}

/** A deterministic jitter in [0, 1) for (item, seed): the same page twice looks the same. */
export function explorationJitter(itemId: number, seed: number): number {
  let h = (Math.imul(itemId ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(seed + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97) >>> 0;
  return ((h ^ (h >>> 15)) >>> 0) / 4294967296;
}

/**
 * The feed's discover control (at 0 only relevance counts), tuned on the ML-1M leave-one-out
 * test protocol with `npm run eval:discovery` (docs/DISCOVERY.md): relevance is read as the
 * model's logits at temperature 2.5, MMR on genres, a novelty boost, a little seeded exploration.
 */
export const DISCOVER_WEIGHTS: Readonly<DiscoverWeights> = Object.freeze({ relevanceKeep: 1, diversity: 0.6, novelty: 1.5, exploration: 0.03, temperature: 2.5 });

/**
 * Maximal-marginal-relevance ordering of `candidates` (itemId, relevance), best first, `take` long.
 * value(i) = rel(i) * (1 - (1 - relevanceKeep) * d) + d * (diversity * (1 - maxSim(i, chosen)) + novelty * nov(i)
 *            + exploration * jitter(i, seed)),
 * with rel min-max normalised over the candidates, or exp((s - max s) / temperature) when
 * `w.temperature` is set. discover = 0 gives pure relevance order. `seed` varies the jitter.
 */
export function diversify(
  candidates: readonly { itemId: number; relevance: number }[],
  traits: (itemId: number) => ItemTraits,
  discover: number,
  take: number,
  maxPopularity: number,
  w: Readonly<DiscoverWeights> = DISCOVER_WEIGHTS,
  seed = 0,
): { itemId: number; relevance: number }[] {
  const d = Math.min(1, Math.max(0, discover));
  const sorted = [...candidates].sort((a, b) => b.relevance - a.relevance || a.itemId - b.itemId);
  if (d === 0 || sorted.length <= 1) return sorted.slice(0, take);
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of sorted) { lo = Math.min(lo, c.relevance); hi = Math.max(hi, c.relevance); }
  const span = hi - lo || 1;
  const T = w.temperature;
  const rel = (r: number) => (T !== undefined && T > 0 ? Math.exp((r - hi) / T) : (r - lo) / span);
  const relScale = 1 - (1 - w.relevanceKeep) * d;
  const base = sorted.map((c) => {
    const t = traits(c.itemId);
    const boost = w.novelty * noveltyScore(t.popularity, maxPopularity) + (w.exploration ?? 0) * explorationJitter(c.itemId, seed);
    return { ...c, genres: t.genres, value: rel(c.relevance) * relScale + d * boost };
  });
  const sets = genreBitsets(base.map((b) => b.genres));
  const maxSim = new Float64Array(base.length);
  const used = new Uint8Array(base.length);
  const out: { itemId: number; relevance: number }[] = [];
  while (out.length < Math.min(take, base.length)) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < base.length; i++) {
      if (used[i]) continue;
      const v = base[i].value + d * w.diversity * (1 - maxSim[i]);
      if (v > bestValue) { bestValue = v; best = i; }
    }
    used[best] = 1;
    out.push({ itemId: base[best].itemId, relevance: base[best].relevance });
    for (let i = 0; i < base.length; i++) {
      if (!used[i]) maxSim[i] = Math.max(maxSim[i], sets.similarity(i, best));
    }
  }
  return out;
}

/**
 * The genres of each item as a bitset (32 genres per word), so the similarity of two items
 * (`genreSimilarity`, Jaccard) is a few AND / popcounts instead of string comparisons: the
 * re-ranking loop compares every pick with every other candidate (a 300-item pool and a
 * 132-card feed: about 40,000 comparisons per re-rank).
 */
export function genreBitsets(genres: readonly (readonly string[])[]): { similarity(a: number, b: number): number } {
  const index = new Map<string, number>();
  for (const g of genres) for (const x of g) if (!index.has(x)) index.set(x, index.size);
  const words = Math.max(1, Math.ceil(index.size / 32));
  const bits = new Uint32Array(genres.length * words);
  const counts = new Uint16Array(genres.length);
  genres.forEach((g, i) => {
    for (const x of g) {
      const k = index.get(x) as number;
      const word = i * words + (k >>> 5);
      const bit = 1 << (k & 31);
      if ((bits[word] & bit) === 0) { bits[word] |= bit; counts[i]++; }
    }
  });
  return {
    similarity(a: number, b: number): number {
      if (counts[a] === 0 || counts[b] === 0) return 0;
      let common = 0;
      for (let j = 0; j < words; j++) common += popcount(bits[a * words + j] & bits[b * words + j]);
      return common / (counts[a] + counts[b] - common);
    },
  };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * The discover setting the feed uses until the person moves the control: the knee of the
 * measured trade-off in docs/DISCOVERY.md (the last setting within the 3% NDCG@10 budget on the
 * shipped ML-1M model). The one place the default lives.
 */
export const DEFAULT_DISCOVER = 0.25;
