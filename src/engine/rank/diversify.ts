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
}

/** The feed's discover control (at 0 only relevance counts). Issue 5 tunes these. */
export const DISCOVER_WEIGHTS: Readonly<DiscoverWeights> = Object.freeze({ relevanceKeep: 0.4, diversity: 0.4, novelty: 0.2 });

/**
 * Maximal-marginal-relevance ordering of `candidates` (itemId, relevance), best first, `take` long.
 * value(i) = rel(i) * (1 - (1 - relevanceKeep) * d) + d * (diversity * (1 - maxSim(i, chosen)) + novelty * nov(i)),
 * with rel min-max normalised over the candidates. discover = 0 gives pure relevance order.
 */
export function diversify(
  candidates: readonly { itemId: number; relevance: number }[],
  traits: (itemId: number) => ItemTraits,
  discover: number,
  take: number,
  maxPopularity: number,
  w: Readonly<DiscoverWeights> = DISCOVER_WEIGHTS,
): { itemId: number; relevance: number }[] {
  const d = Math.min(1, Math.max(0, discover));
  const sorted = [...candidates].sort((a, b) => b.relevance - a.relevance || a.itemId - b.itemId);
  if (d === 0 || sorted.length <= 1) return sorted.slice(0, take);
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of sorted) { lo = Math.min(lo, c.relevance); hi = Math.max(hi, c.relevance); }
  const span = hi - lo || 1;
  const relScale = 1 - (1 - w.relevanceKeep) * d;
  const base = sorted.map((c) => {
    const t = traits(c.itemId);
    return { ...c, genres: t.genres, value: ((c.relevance - lo) / span) * relScale + d * w.novelty * noveltyScore(t.popularity, maxPopularity) };
  });
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
      if (!used[i]) maxSim[i] = Math.max(maxSim[i], genreSimilarity(base[i].genres, base[best].genres));
    }
  }
  return out;
}
