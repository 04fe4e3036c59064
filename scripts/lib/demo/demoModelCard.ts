import type { EvalReport } from '../evalReport';

/** What a demo's model card is made from. */
export interface DemoCardInput {
  name: string;
  /** The --data and --catalog paths as given. */
  data: string;
  catalog: string | null;
  stats: { users: number; items: number; interactions: number; catalogItems: number; withImage: number; withUrl: number; withTags: number };
  evaluation: EvalReport;
  /** config.json of the model (architecture). */
  config: Record<string, unknown>;
  /** training.json of the model, when the run wrote one. */
  training: Record<string, unknown> | null;
  maxMinutes: number;
  /** Seconds each step took, in order. */
  timings: [string, number][];
  precision: string;
}

/** Readable names of the eval rows (scorer names stay in the JSON). */
const ROW_NAMES: Record<string, string> = {
  popularity: 'most popular (baseline)',
  'most-popular': 'most popular (baseline)',
  'item-to-item': 'item-to-item: next-item transitions (baseline)',
  'item-knn': 'item-to-item: co-occurrence kNN (baseline)',
};

function rowName(key: string, primary: string, precision: string): string {
  if (key === primary) return `**SASRec, this model (${precision})**`;
  return ROW_NAMES[key] ?? `${key} (baseline)`;
}

const f4 = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(4) : 'n/a');

/** The NDCG@10 / HR@10 table: this model first, then every baseline, on the same split. */
export function accuracyTable(r: EvalReport, precision: string): string {
  const rows = Object.entries(r.models).map(([key, m]) => `| ${rowName(key, r.primary, precision)} | ${f4(m.metrics['NDCG@10'])} | ${f4(m.metrics['HR@10'])} |`);
  return ['| model | NDCG@10 | HR@10 |', '|---|---:|---:|', ...rows].join('\n');
}

/** MODEL_CARD.md of a model made by `npm run demo`. */
export function demoModelCard(c: DemoCardInput): string {
  const s = c.stats;
  const t = c.training;
  const cfgLine = ['maxLen', 'dim', 'blocks', 'heads', 'dropout'].filter((k) => c.config[k] !== undefined).map((k) => `${k} ${String(c.config[k])}`).join(', ');
  const trainLine = t
    ? `${String(t.epochs ?? '?')} epochs in ${String(t.trainSeconds ?? '?')} s (best validation NDCG@10 ${typeof t.bestValidNdcg10 === 'number' ? t.bestValidNdcg10.toFixed(4) : '?'} at epoch ${String(t.bestEpoch ?? '?')})`
    : 'no training record';
  return `# ${c.name}

A SASRec model made by \`npm run demo\` from \`${c.data}\`${c.catalog ? ` with the catalog \`${c.catalog}\`` : ''}. It ranks the
catalog for one person from the order of what they interacted with, and is fine-tuned on their
device as they use the site. Nothing about the person leaves their browser.

## Data

- ${s.interactions} interactions, ${s.users} people, ${s.items} items (mean ${(s.interactions / Math.max(1, s.users)).toFixed(1)} per person)
- catalog: ${s.catalogItems} items; ${s.withTags} with tags, ${s.withImage} with an image, ${s.withUrl} with a link

## Accuracy

Leave-one-out on the same data: each person's last item is held out and ranked against all
${c.evaluation.items} items (items the person already has are excluded), ${c.evaluation.users} people. The baselines
are computed on the same split.

${accuracyTable(c.evaluation, c.precision)}

A model that does not clearly beat the item-to-item rows is not worth shipping: train longer
(\`--max-minutes\`) or collect more interactions.

## Training

- architecture: ${cfgLine || 'see config.json'}
- ${trainLine}; training was bounded by --max-minutes ${c.maxMinutes}
- weights stored as ${c.precision}
- steps: ${c.timings.map(([step, sec]) => `${step} ${sec.toFixed(1)} s`).join(', ')}

## Limits

Trained only on the interactions above: it knows only these items and reflects what these people
did, including their biases toward popular items. Evaluated offline; on-device fine-tuning is
checked by the app itself (a run that makes the person's newest item less likely is rolled back).
`;
}
