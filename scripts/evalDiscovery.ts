/**
 * The familiar <-> discover trade-off on the leave-one-out test protocol (full ranking, seen items
 * excluded): each user's first feed page is re-ranked by the feed's own `diversify` at 5 settings.
 *
 *   npm run eval:discovery -- --model public/models/ml-1m-sasrec --data ../shared/datasets/ml-1m --json out.json
 *        [--users N] [--svg docs/img/discovery-tradeoff.svg] [--md table.md] [--weights '{"diversity":0.4,...}']
 *
 * See docs/DISCOVERY.md.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { LocalRecError } from '../src/engine/errors';
import { discoveryCase, discoveryRow, DISCOVERY_SETTINGS, relativeChange, type DiscoveryCase, type DiscoveryRow } from '../src/engine/eval/discovery';
import type { EvalCase } from '../src/engine/eval/rankTargets';
import { sasRecScorer } from '../src/engine/eval/sasRecScorer';
import { itemUserCounts } from '../src/engine/eval/scorer';
import { DEFAULT_DISCOVER, DISCOVER_WEIGHTS, type DiscoverWeights } from '../src/engine/rank/diversify';
import { CatalogIndex } from '../src/engine/rank/rankFeed';
import { loadDataset } from './lib/loadDataset';
import { loadModelFiles } from './lib/modelFiles';
import { bar, formatDuration, Progress } from './lib/progress';
import { leaveOneOut } from './lib/split';
import { tradeoffSvg } from './lib/tradeoffSvg';
import { failWith, parseCli } from './lib/cli';

const USAGE = 'usage: npm run eval:discovery -- --model <dir> --data <file or dir> [--json <out.json>] [--users N] [--svg <out.svg>] [--md <out.md>] [--weights <json>]';

const { values: args } = parseCli('eval:discovery', USAGE, {
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    catalog: { type: 'string' },
    json: { type: 'string' },
    svg: { type: 'string' },
    md: { type: 'string' },
    users: { type: 'string' },
    weights: { type: 'string' },
    sweep: { type: 'string' },
    'pools-cache': { type: 'string' },
    'batch-size': { type: 'string', default: '256' },
  },
});

const fail: (message: string) => never = failWith('eval:discovery');

function pct(v: number): string {
  return `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`;
}

/** The Markdown table of docs/DISCOVERY.md. */
function discoveryTable(rows: readonly DiscoveryRow[], defaultSetting: number): string {
  const base = rows.find((r) => r.setting === 0) ?? rows[0];
  const lines = [
    '| discover | NDCG@10 | vs 0 | novelty (bits) | vs 0 | ILD | vs 0 | coverage@10 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.setting}${r.setting === defaultSetting ? ' (default)' : ''} | ${r['NDCG@10'].toFixed(4)} | ${pct(relativeChange(r['NDCG@10'], base['NDCG@10']))} | ` +
      `${r.novelty.toFixed(3)} | ${pct(relativeChange(r.novelty, base.novelty))} | ${r.ild.toFixed(3)} | ${pct(relativeChange(r.ild, base.ild))} | ${r['coverage@10'].toFixed(4)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The feed's candidate pool of every case, from the model's full-catalog scores. */
async function scorePools(modelDir: string, cases: EvalCase[], index: CatalogIndex, numItems: number, batchSize: number): Promise<DiscoveryCase[]> {
  await tf.setBackend('wasm');
  await tf.ready();
  const model = loadModelFiles(modelDir).model;
  if (model.config.numItems !== numItems) {
    model.dispose();
    throw new LocalRecError('INVALID_INPUT', `The model in ${modelDir} knows ${model.config.numItems} items but the data has ${numItems}. Evaluate it on the data it was trained on.`);
  }
  const scorer = sasRecScorer(model, { batchSize });
  const vocab = numItems + 1;
  const out: DiscoveryCase[] = [];
  const progress = new Progress(15_000);
  const start = Date.now();
  for (let s = 0; s < cases.length; s += batchSize) {
    const batch = cases.slice(s, s + batchSize);
    const scores = await scorer.score(batch.map((c) => c.history));
    batch.forEach((c, r) => out.push(discoveryCase(scores.subarray(r * vocab, (r + 1) * vocab), index, c)));
    const done = s + batch.length;
    progress.update(`scoring ${bar(done / cases.length)} ${done}/${cases.length} users, ETA ${formatDuration(((Date.now() - start) / done) * (cases.length - done))}`);
  }
  progress.done();
  scorer.dispose?.();
  model.dispose();
  return out;
}

async function main(): Promise<void> {
  if (!args.data || !args.model) fail(USAGE);
  const { dataset, catalog } = loadDataset(args.data, { catalog: args.catalog });
  if (!catalog) fail(`${args.data} has no catalog with genres; discovery needs genres (see docs/DATA_FORMATS.md)`);
  const split = leaveOneOut(dataset);
  let cases = split.test;
  if (args.users) {
    const n = Number(args.users);
    if (!Number.isInteger(n) || n <= 0) fail(`--users must be a positive integer, got "${args.users}"`);
    cases = cases.slice(0, n);
  }
  if (cases.length === 0) fail(`no user in ${args.data} has the 3 interactions leave-one-out needs`);
  let weights: DiscoverWeights = { ...DISCOVER_WEIGHTS };
  if (args.weights) {
    try { weights = { ...weights, ...(JSON.parse(args.weights) as Partial<DiscoverWeights>) }; } catch (e) { fail(`--weights is not JSON: ${(e as Error).message}`); }
  }
  const { numItems } = dataset;
  const counts = itemUserCounts(split.train, numItems);
  // Popularity for the novelty boost comes from the training split only (no test leakage).
  const index = new CatalogIndex(catalog.map((c) => ({ ...c, popularity: counts[c.id] ?? 0 })));
  const genres = new Map(catalog.map((c) => [c.id, c.genres]));

  const cacheFile = args['pools-cache'];
  const pools: DiscoveryCase[] = cacheFile && existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as DiscoveryCase[]).slice(0, cases.length) : [];
  const start = Date.now();
  if (pools.length < cases.length) {
    pools.splice(0, pools.length, ...(await scorePools(args.model, cases, index, numItems, Number(args['batch-size']) || 256)));
    if (cacheFile) writeFileSync(cacheFile, JSON.stringify(pools));
  }
  const ctx = { numItems, itemUserCounts: counts, numUsers: split.train.length, genresOf: (i: number) => genres.get(i) ?? [] };
  if (args.sweep) {
    // Development aid: one table per weight set, from the same pools.
    for (const w of JSON.parse(args.sweep) as Partial<DiscoverWeights>[]) {
      const full = { ...weights, ...w };
      process.stdout.write(`\n${JSON.stringify(full)}\n${discoveryTable(DISCOVERY_SETTINGS.map((st) => discoveryRow(pools, index, ctx, st, full)), DEFAULT_DISCOVER)}`);
    }
    return;
  }


  const rows = DISCOVERY_SETTINGS.map((setting) => discoveryRow(pools, index, ctx, setting, weights));
  const report = { protocol: 'loo-full, first feed page (10) re-ranked from the top-300 pool', dataset: args.data, model: args.model, users: cases.length, weights, settings: rows, defaultSetting: DEFAULT_DISCOVER };
  const table = discoveryTable(rows, DEFAULT_DISCOVER);
  process.stdout.write(`${cases.length} users, ${formatDuration(Date.now() - start)}\n\n${table}`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  if (args.md) writeFileSync(args.md, table);
  if (args.svg) {
    writeFileSync(args.svg, tradeoffSvg(rows.map((r) => ({ setting: r.setting, ndcg: r['NDCG@10'], novelty: r.novelty, ild: r.ild })), DEFAULT_DISCOVER,
      `Familiar <-> discover trade-off (${cases.length} test users, leave-one-out)`));
  }
}

main().catch((e: unknown) => {
  if (e instanceof LocalRecError) fail(e.message);
  throw e;
});
