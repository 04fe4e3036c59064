import type { LengthGroup } from '../../src/engine/eval/byLength';
import type { MetricValues } from '../../src/engine/eval/protocol';

/** Columns of the full-ranking table, in order. */
export const FULL_COLUMNS = ['HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20', 'MRR', 'coverage@10', 'novelty@10', 'ild@10'];
/** Columns of the sampled-protocol table. */
export const SAMPLED_COLUMNS = ['HR@5', 'HR@10', 'HR@20', 'NDCG@5', 'NDCG@10', 'NDCG@20', 'MRR'];

/** The JSON written by `npm run eval -- --json`. Keys are stable; add, never rename. */
export interface EvalReport {
  protocol: 'loo-full';
  /**
   * Which held-out item is ranked: 'test' (each person's last item, history = everything before)
   * or 'valid' (the one before it, the early-stopping target). Reports written before this field
   * existed are 'test'.
   */
  target?: 'test' | 'valid';
  /** The --data path. */
  dataset: string;
  format: string;
  /** Number of evaluated users (one test case each). */
  users: number;
  items: number;
  /** Name of the row whose metrics are copied to top-level `metrics` (the model when given). */
  primary: string;
  /** `models[primary].metrics`, for convenience. */
  metrics: MetricValues;
  models: Record<string, { metrics: MetricValues }>;
  /** With --by-length: HR@10 and NDCG@10 per group of people by interaction count, per model. */
  byLength?: Record<string, LengthGroup[]>;
  sampled?: {
    protocol: 'loo-sampled-100';
    negatives: number;
    seed: number;
    models: Record<string, { metrics: MetricValues }>;
  };
}

function cell(v: number | null | undefined, name: string): string {
  if (v === null || v === undefined) return 'n/a';
  return name.startsWith('novelty') ? v.toFixed(2) : v.toFixed(4);
}

/** A Markdown table: one row per model, the given metric columns. */
export function markdownTable(models: Record<string, { metrics: MetricValues }>, columns: string[]): string {
  const head = `| model | ${columns.join(' | ')} |`;
  const rule = `|---|${columns.map(() => '---:').join('|')}|`;
  const rows = Object.entries(models).map(([name, m]) => `| ${name} | ${columns.map((c) => cell(m.metrics[c], c)).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

/** The whole report as Markdown: the full-ranking table, then the sampled one clearly labelled. */
export function markdownReport(r: EvalReport): string {
  const item = r.target === 'valid' ? 'validation item (second to last; history = the training part)' : 'test item (last)';
  const parts = [
    `### Leave-one-out, full ranking over all ${r.items} items (seen items excluded) — ${r.dataset}, ${r.users} users, ${item}`,
    '',
    markdownTable(r.models, FULL_COLUMNS),
    '',
    'coverage@10: share of the catalog in any top-10; novelty@10: mean -log2(training popularity) of top-10 items; ild@10: mean pairwise genre Jaccard distance within a top-10. Ties count against the target.',
  ];
  if (r.byLength) {
    const names = Object.keys(r.byLength);
    const groups = r.byLength[names[0]] ?? [];
    parts.push('', '### By interaction count (NDCG@10 / HR@10)', '',
      `| people with | users | ${names.join(' | ')} |`, `|---|---:|${names.map(() => '---:').join('|')}|`,
      ...groups.map((g, i) => `| ${g.label} | ${g.users} | ${names.map((n) => `${cell(r.byLength![n][i]['NDCG@10'], 'NDCG@10')} / ${cell(r.byLength![n][i]['HR@10'], 'HR@10')}`).join(' | ')} |`));
  }
  if (r.sampled) {
    parts.push('', `### Sampled protocol (older, NOT comparable with full ranking): target vs ${r.sampled.negatives} uniform negatives the user never saw, seed ${r.sampled.seed}`,
      '', markdownTable(r.sampled.models, SAMPLED_COLUMNS));
  }
  return `${parts.join('\n')}\n`;
}
