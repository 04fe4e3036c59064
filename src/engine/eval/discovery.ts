import { diversify, type DiscoverWeights, DISCOVER_WEIGHTS } from '../rank/diversify';
import { feedPool, type CatalogIndex } from '../rank/rankFeed';
import { catalogCoverage, intraListDiversity, ndcgAt, novelty } from './metrics';
import type { EvalCase } from './rankTargets';

/** The five settings of the familiar <-> discover control that eval:discovery reports. */
export const DISCOVERY_SETTINGS = [0, 0.25, 0.5, 0.75, 1] as const;

/** One row of the discovery table (key names are the JSON's). */
export interface DiscoveryRow {
  setting: number;
  'NDCG@10': number;
  novelty: number;
  ild: number;
  'coverage@10': number;
}

/** One user's re-ranking input: the feed's candidate pool (best first) and the held-out target. */
export interface DiscoveryCase {
  pool: { itemId: number; relevance: number }[];
  target: number;
}

/** The feed's candidate pool for the first page of 10 after `scores` (history excluded, target kept). */
export function discoveryCase(scores: ArrayLike<number>, catalog: CatalogIndex, c: EvalCase): DiscoveryCase {
  const exclude = new Set<number>(Array.from(c.exclude));
  exclude.delete(c.target);
  return { pool: feedPool(scores, catalog, { offset: 0, count: 10, exclude }), target: c.target };
}

/** What the beyond-accuracy metrics need: training popularity (users per item) and genres. */
export interface DiscoveryContext {
  numItems: number;
  itemUserCounts: ArrayLike<number>;
  numUsers: number;
  genresOf: (item: number) => readonly string[];
}

/**
 * NDCG@10, novelty (mean self-information, bits), intra-list diversity (genre Jaccard distance)
 * and coverage@10 of the first feed page of every case at one discover setting, re-ranked by the
 * feed's own `diversify` (seeded per case, like the app seeds it per session).
 */
export function discoveryRow(cases: readonly DiscoveryCase[], catalog: CatalogIndex, ctx: DiscoveryContext, setting: number, w: Readonly<DiscoverWeights> = DISCOVER_WEIGHTS): DiscoveryRow {
  const lists: Int32Array[] = [];
  let ndcg = 0;
  let ild = 0;
  cases.forEach((c, i) => {
    const list = Int32Array.from(diversify(c.pool, catalog.traits, setting, 10, catalog.maxPopularity, w, i + 1), (x) => x.itemId);
    const pos = list.indexOf(c.target);
    if (pos >= 0) ndcg += ndcgAt(pos, 10);
    ild += intraListDiversity(list, ctx.genresOf);
    lists.push(list);
  });
  const n = Math.max(1, cases.length);
  return {
    setting,
    'NDCG@10': ndcg / n,
    novelty: novelty(lists, ctx.itemUserCounts, ctx.numUsers),
    ild: ild / n,
    'coverage@10': catalogCoverage(lists, ctx.numItems),
  };
}

/** Relative change of `v` over `base` (0 when base is 0). */
export function relativeChange(v: number, base: number): number {
  return base === 0 ? 0 : (v - base) / base;
}
