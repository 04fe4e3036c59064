import { hitAt, ndcgAt } from './metrics';

/** One group of people by how many interactions they have in the data. */
export interface LengthGroup {
  /** e.g. "<50", "50–99", "≥202". */
  label: string;
  /** Inclusive bounds on the person's interaction count (max null = no upper bound). */
  min: number;
  max: number | null;
  users: number;
  'HR@10': number;
  'NDCG@10': number;
}

/** Whether `edges` are ascending positive integers (the group starts metricsByLength takes). */
export function validLengthEdges(edges: readonly number[]): boolean {
  return edges.every((e, i) => Number.isInteger(e) && e >= 1 && (i === 0 || e > edges[i - 1]));
}

/**
 * Splits evaluation cases into groups by each person's interaction count and averages HR@10 and
 * NDCG@10 per group. `edges` are ascending group starts after the first: [50, 100] gives <50,
 * 50–99 and ≥100. Empty groups are kept (users 0, metrics 0) so tables line up across runs.
 */
export function metricsByLength(lengths: ArrayLike<number>, ranks: ArrayLike<number>, edges: readonly number[]): LengthGroup[] {
  if (lengths.length !== ranks.length) throw new Error(`metricsByLength: ${lengths.length} lengths but ${ranks.length} ranks`);
  if (!validLengthEdges(edges)) throw new Error(`length group edges must be ascending positive integers, got ${edges.join(',')}`);
  const bounds = [0, ...edges];
  const groups = bounds.map((min, g) => {
    const max = g + 1 < bounds.length ? bounds[g + 1] - 1 : null;
    const label = g === 0 ? `<${bounds[1] ?? '∞'}` : max === null ? `≥${min}` : `${min}–${max}`;
    return { label: edges.length === 0 ? 'all' : label, min, max, users: 0, hr: 0, ndcg: 0 };
  });
  for (let i = 0; i < lengths.length; i++) {
    let g = 0;
    while (g + 1 < bounds.length && lengths[i] >= bounds[g + 1]) g++;
    groups[g].users++;
    groups[g].hr += hitAt(ranks[i], 10);
    groups[g].ndcg += ndcgAt(ranks[i], 10);
  }
  return groups.map(({ label, min, max, users, hr, ndcg }) => ({
    label, min, max, users, 'HR@10': users ? hr / users : 0, 'NDCG@10': users ? ndcg / users : 0,
  }));
}
