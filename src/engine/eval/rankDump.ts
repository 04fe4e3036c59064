import { LocalRecError, ParseError } from '../errors';
import { bootstrapLiftCi, liftPct, mean } from './bootstrap';
import { CUTOFFS, hitAt, ndcgAt } from './metrics';

/** One line of a rank dump: the user, the target item and the model's top list (dense ids). */
export interface RankDumpRow {
  user: string;
  target: number;
  top: ArrayLike<number>;
}

/** `user<TAB>target<TAB>top ids separated by spaces`, one line per row, newline-terminated. */
export function formatRankDump(rows: RankDumpRow[]): string {
  return rows.map((r) => `${r.user}\t${r.target}\t${Array.from(r.top).join(' ')}\n`).join('');
}

export function parseRankDump(text: string, file: string): RankDumpRow[] {
  const rows: RankDumpRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw === '') continue;
    const parts = raw.split('\t');
    if (parts.length !== 3) throw new ParseError(file, i + 1, `expected 3 tab-separated fields "user target top-ids", found ${parts.length}`);
    const target = Number(parts[1]);
    const top = parts[2] === '' ? [] : parts[2].split(' ').map(Number);
    if (!Number.isInteger(target) || top.some((v) => !Number.isInteger(v))) {
      throw new ParseError(file, i + 1, 'target and top ids must be integers');
    }
    rows.push({ user: parts[0], target, top });
  }
  if (rows.length === 0) throw new ParseError(file, 1, 'the dump is empty');
  return rows;
}

/**
 * HR@K and NDCG@K (K = 5, 10, 20) recomputed from a dump: the target's rank is its position in
 * the top list, a miss when absent. Also MRR@N for the dump's list length N (the full MRR needs
 * ranks beyond the list).
 */
export function metricsFromDump(rows: RankDumpRow[]): Record<string, number> {
  const listLength = rows.reduce((m, r) => Math.max(m, r.top.length), 0);
  const out: Record<string, number> = {};
  const ranks = rows.map(rankInList);
  for (const k of CUTOFFS) {
    out[`HR@${k}`] = ranks.reduce((s, r) => s + hitAt(r, k), 0) / rows.length;
    out[`NDCG@${k}`] = ranks.reduce((s, r) => s + ndcgAt(r, k), 0) / rows.length;
  }
  out[`MRR@${listLength}`] = ranks.reduce((s, r) => s + (r < listLength ? 1 / (r + 1) : 0), 0) / rows.length;
  return out;
}

/** The target's 0-based position in the row's top list; Infinity (a miss at any K) when absent. */
function rankInList(r: RankDumpRow): number {
  const p = Array.prototype.indexOf.call(r.top, r.target) as number;
  return p < 0 ? Number.POSITIVE_INFINITY : p;
}

/** Per-row NDCG@k of a dump (0 when the target is not in the top k). */
export function ndcgPerRow(rows: readonly RankDumpRow[], k = 10): Float64Array {
  return Float64Array.from(rows, (r) => ndcgAt(rankInList(r), k));
}

/**
 * Paired comparison of two dumps of the same people and targets: mean NDCG@10 of each, the lift
 * of `rows` over `baseline` in percent and its paired bootstrap 95% interval (2,000 resamples,
 * seeded). Dumps of different people or targets are an error naming the first mismatch.
 */
export function pairedNdcgLift(rows: readonly RankDumpRow[], baseline: readonly RankDumpRow[], file: string, baselineFile: string): {
  users: number; ndcg10: number; baselineNdcg10: number; liftPct: number; ci95: [number, number];
} {
  if (rows.length !== baseline.length) {
    throw new LocalRecError('INVALID_INPUT', `${baselineFile} has ${baseline.length} rows but ${file} has ${rows.length}; compare dumps of the same evaluation (same --data, --target and --users)`);
  }
  rows.forEach((r, i) => {
    const b = baseline[i];
    if (r.user !== b.user || r.target !== b.target) {
      throw new ParseError(baselineFile, i + 1, `user ${b.user} target ${b.target} but ${file} has user ${r.user} target ${r.target} there; compare dumps of the same evaluation`);
    }
  });
  const after = ndcgPerRow(rows);
  const before = ndcgPerRow(baseline);
  const ndcg10 = mean(after);
  const baselineNdcg10 = mean(before);
  return { users: rows.length, ndcg10, baselineNdcg10, liftPct: liftPct(baselineNdcg10, ndcg10), ci95: bootstrapLiftCi(before, after, 2000, 1) };
}
