/**
 * Evaluates a model and/or baselines with leave-one-out, full ranking over all items (items
 * already in the user's sequence excluded), as in the SASRec literature.
 *
 *   npm run eval -- --model public/models/ml-1m-sasrec --data ../shared/datasets/ml-1m [--baselines]
 *        [--sampled] [--json out.json] [--dump-ranks out.tsv] [--users N] [--catalog items.csv]
 *
 * Without --model only the baselines run. See docs/EVALUATION.md.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { writeFileSync } from 'node:fs';
import { LocalRecError } from '../src/engine/errors';
import { itemKnnScorer, itemTransitionScorer, mostPopularScorer } from '../src/engine/eval/baselines';
import { looMetrics, rankCases, sampleNegatives, type BeyondAccuracyContext, type MetricValues } from '../src/engine/eval/protocol';
import { metricsByLength, validLengthEdges, type LengthGroup } from '../src/engine/eval/byLength';
import { formatRankDump } from '../src/engine/eval/rankDump';
import { rankMetrics } from '../src/engine/eval/metrics';
import { sasRecScorer } from '../src/engine/eval/sasRecScorer';
import { itemUserCounts, type Scorer } from '../src/engine/eval/scorer';
import type { SasRec } from '../src/engine/model/sasrec';
import { markdownReport, type EvalReport } from './lib/evalReport';
import { loadDataset } from './lib/loadDataset';
import { loadModelFiles } from './lib/modelFiles';
import { bar, formatDuration, Progress } from './lib/progress';
import { leaveOneOut } from './lib/split';
import { failWith, intOption, parseCli } from './lib/cli';

const USAGE = 'usage: npm run eval -- [--model <dir>] --data <file or dir> [--baselines] [--sampled] [--json <out.json>] ' +
  '[--dump-ranks <out.tsv>] [--dump-model <name>] [--users N] [--catalog <file>] [--skip-unknown-items] [--seed N] [--target test|valid] [--by-length 50,100,202]';

const { values: args } = parseCli('eval', USAGE, {
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    catalog: { type: 'string' },
    json: { type: 'string' },
    'dump-ranks': { type: 'string' },
    'dump-model': { type: 'string' },
    baselines: { type: 'boolean', default: false },
    sampled: { type: 'boolean', default: false },
    users: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'batch-size': { type: 'string', default: '256' },
    'skip-unknown-items': { type: 'boolean', default: false },
    target: { type: 'string', default: 'test' },
    'by-length': { type: 'string' },
  },
});

const fail: (message: string) => never = failWith('eval');

const positiveInt = (name: string, raw: string): number => intOption(fail, name, raw, 1);

async function main(): Promise<void> {
  if (!args.data) fail(USAGE);
  const withBaselines = args.baselines || !args.model;
  const seed = Number(args.seed);
  if (!Number.isInteger(seed) || seed < 0) fail(`--seed must be an integer >= 0, got "${args.seed}"`);
  const { dataset, catalog, format } = loadDataset(args.data, {
    catalog: args.catalog,
    unknownItems: args['skip-unknown-items'] ? 'skip' : 'error',
  });
  const target = args.target;
  if (target !== 'test' && target !== 'valid') fail(`--target must be "test" (the last item, the default) or "valid" (the one before it), got "${target}"`);
  const edges = args['by-length'] === undefined ? null : parseEdges(args['by-length']);
  const split = leaveOneOut(dataset);
  let cases = target === 'test' ? split.test : split.valid;
  let evalUsers = split.evalUsers;
  if (args.users) {
    const n = positiveInt('users', args.users);
    cases = cases.slice(0, n);
    evalUsers = evalUsers.slice(0, n);
  }
  if (cases.length === 0) fail(`no user in ${args.data} has the 3 interactions leave-one-out needs`);
  const { numItems } = dataset;

  const scorers: Scorer[] = [];
  let model: SasRec | null = null;
  if (args.model) {
    await tf.setBackend('wasm');
    await tf.ready();
    model = loadModelFiles(args.model).model;
    if (model.config.numItems !== numItems) {
      throw new LocalRecError('INVALID_INPUT',
        `The model in ${args.model} knows ${model.config.numItems} items but ${args.data} has ${numItems}. Evaluate it on the data it was trained on.`);
    }
    scorers.push(sasRecScorer(model, { batchSize: positiveInt('batch-size', args['batch-size'] ?? '256') }));
  }
  if (withBaselines) {
    scorers.push(mostPopularScorer(split.train, numItems), itemTransitionScorer(split.train, numItems), itemKnnScorer(split.train, numItems));
  }
  const genres = catalog ? new Map(catalog.map((c) => [c.id, c.genres])) : null;
  const ctx: BeyondAccuracyContext = {
    numItems,
    itemUserCounts: itemUserCounts(split.train, numItems),
    numUsers: split.train.length,
    genresOf: genres ? (i) => genres.get(i) ?? [] : null,
  };
  const negatives = args.sampled ? sampleNegatives(cases, numItems, 100, seed) : undefined;
  const dumpName = args['dump-model'] ?? scorers[0].name;
  if (args['dump-ranks'] && !scorers.some((s) => s.name === dumpName)) {
    fail(`--dump-model "${dumpName}" is not one of: ${scorers.map((s) => s.name).join(', ')}`);
  }

  const models: Record<string, { metrics: MetricValues }> = {};
  const lengths = evalUsers.map((u) => dataset.sequences[u].length);
  const byLength: Record<string, LengthGroup[]> = {};
  const sampledModels: Record<string, { metrics: MetricValues }> = {};
  const progress = new Progress(15_000);
  for (const scorer of scorers) {
    const start = Date.now();
    const result = await rankCases(scorer, cases, {
      numItems,
      topK: 100,
      negatives,
      onProgress: (done, total) => {
        const eta = ((Date.now() - start) / done) * (total - done);
        progress.update(`${scorer.name} ${bar(done / total)} ${done}/${total} users, ETA ${formatDuration(eta)}`);
      },
    });
    progress.done();
    scorer.dispose?.();
    models[scorer.name] = { metrics: looMetrics(result, ctx, 10) };
    if (edges) byLength[scorer.name] = metricsByLength(lengths, result.ranks, edges);
    if (result.sampledRanks) sampledModels[scorer.name] = { metrics: rankMetrics(result.sampledRanks) };
    process.stderr.write(`${scorer.name}: ${cases.length} users in ${formatDuration(Date.now() - start)}\n`);
    if (args['dump-ranks'] && scorer.name === dumpName) {
      const rows = cases.map((c, i) => ({ user: dataset.userIds[evalUsers[i]], target: c.target, top: result.top[i] }));
      writeFileSync(args['dump-ranks'], formatRankDump(rows));
    }
  }
  model?.dispose();

  const primary = scorers[0].name;
  const report: EvalReport = {
    protocol: 'loo-full',
    target,
    dataset: args.data,
    format,
    users: cases.length,
    items: numItems,
    primary,
    metrics: models[primary].metrics,
    models,
  };
  if (edges) report.byLength = byLength;
  if (negatives) report.sampled = { protocol: 'loo-sampled-100', negatives: 100, seed, models: sampledModels };
  process.stdout.write(markdownReport(report));
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
}

/** "50,100,202" -> [50, 100, 202]; anything else stops with the expected form. */
function parseEdges(raw: string): number[] {
  const edges = raw.split(',').map((x) => Number(x.trim()));
  if (!validLengthEdges(edges)) {
    fail(`--by-length takes ascending interaction counts where groups start, like 50,100,202; got "${raw}"`);
  }
  return edges;
}

main().catch((e: unknown) => {
  if (e instanceof LocalRecError) fail(`${e.message}`);
  throw e;
});
