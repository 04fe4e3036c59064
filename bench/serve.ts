/**
 * Serve-loop benchmark in Node (tfjs WASM, one thread): the engine's work per re-rank on the
 * shipped model, before and after the caches of issue 23, compared in the same run.
 *
 *   npm run bench:serve [-- --model ml-1m-sasrec] [--runs 30]
 *
 * - uncached: item table rebuilt (feature product) and a transposed product per call, the table
 *   rebuilt and normalised again for the dislike penalty (what every re-rank did before);
 * - after an interaction: forward pass with the cached table (`ItemTables`), without and with the
 *   person's release-year bias (the default policy: the newest 10 prefixes' scores from the same
 *   pass and the bias's fit; rank/personYearBias.ts);
 * - no history change: cached scores (`PersonScores`), only `rankFromScores`.
 * Writes bench/results/serve-<date>.json and .md. Worker messaging and React are not in these
 * figures (bench:browser has the end-to-end ones).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ItemTables } from '../src/engine/rank/itemTables';
import { personalScores, withoutYearBias } from '../src/engine/rank/personalScores';
import { itemYears } from '../src/engine/rank/personYearBias';
import { rankFromScores } from '../src/engine/rank/rankFeed';
import type { InteractionEvent } from '../src/engine/recommender/types';
import { interpretEvents } from '../src/engine/signals';
import { resolvePolicy } from '../src/engine/train/finetunePolicy';
import { parseCli } from '../scripts/lib/cli';
import { machineInfo } from './lib/machine';
import { loadBenchModel } from './lib/modelFolder';
import { table, writeResults } from './lib/report';
import { summarize, timeRuns, type TimingSummary } from './lib/stats';

const USAGE = 'usage: npm run bench:serve -- [--model <name under public/models>] [--runs 30]';
const { values: args } = parseCli('bench:serve', USAGE, { options: { model: { type: 'string', default: 'ml-1m-sasrec' }, runs: { type: 'string', default: '30' } } });
const runs = Number(args.runs);

await tf.setBackend('wasm');
const machine = machineInfo();
const { model, catalog, byPopularity } = loadBenchModel(args.model);
const withYearBias = resolvePolicy({});
const policy = withoutYearBias(withYearBias);
const prior = catalog.popularityPrior(model.config.numItems);
const years = itemYears(catalog.items, model.config.numItems);

interface Row { historyLength: number; uncached: TimingSummary; afterInteraction: TimingSummary; afterInteractionYearBias: TimingSummary; yearBias: string; noHistoryChange: TimingSummary; tensorsLeft: number }
const rows: Row[] = [];
for (const historyLength of [5, 50, 200]) {
  // Every 5th event a dislike, so the dislike penalty runs as in a real feed.
  const events: InteractionEvent[] = byPopularity.slice(0, historyLength).map((itemId, i) => ({ itemId, type: i % 5 === 4 ? 'dislike' : 'like', at: i }));
  const view = interpretEvents(events);
  const page = (d: number) => ({ count: 12, offset: 0, discover: d, exclude: view.seen });
  const before = tf.memory().numTensors;
  const uncached = await timeRuns(async () => {
    const s = await personalScores(model, view, policy, prior);
    rankFromScores(s, catalog, page(0.25));
  }, 2, runs);
  const tables = new ItemTables(model);
  const afterInteraction = await timeRuns(async () => {
    const s = await personalScores(model, view, policy, prior, tables);
    rankFromScores(s, catalog, page(0.25));
  }, 2, runs);
  let yearBias = 'none';
  const afterInteractionYearBias = await timeRuns(async () => {
    const s = await personalScores(model, view, withYearBias, prior, tables, null, years, (f) => { yearBias = f.outcome; });
    rankFromScores(s, catalog, page(0.25));
  }, 2, runs);
  const cachedScores = await personalScores(model, view, policy, prior, tables);
  let i = 0;
  const noHistoryChange = await timeRuns(async () => {
    rankFromScores(cachedScores, catalog, page([0, 0.25, 0.5, 1][i++ % 4]));
  }, 2, runs);
  tables.dispose();
  rows.push({ historyLength, uncached: summarize(uncached), afterInteraction: summarize(afterInteraction), afterInteractionYearBias: summarize(afterInteractionYearBias), yearBias, noHistoryChange: summarize(noHistoryChange), tensorsLeft: tf.memory().numTensors - before });
  process.stderr.write(`[bench:serve] history ${historyLength}: uncached ${rows.at(-1)?.uncached.medianMs} ms, after an interaction ${rows.at(-1)?.afterInteraction.medianMs} ms (with the year bias ${rows.at(-1)?.afterInteractionYearBias.medianMs} ms), no history change ${rows.at(-1)?.noHistoryChange.medianMs} ms\n`);
}
model.dispose();

const md = [
  `# Serve-loop benchmark (engine work per re-rank, Node, tfjs WASM) ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Model \`${args.model}\` (${catalog.items.length} items), ${machine.cpuModel} (${machine.cpuCount} cores), load average ${machine.loadAverage1m} at start. Command: \`npm run bench:serve\`. ${runs} timed runs per cell after 2 warm-up runs; a 12-item page at discover 0.25 (no history change: discover 0 / 0.25 / 0.5 / 1 in turn).`,
  '',
  table(
    ['history length', 'uncached (before) p50 / p95 ms', 'after an interaction p50 / p95 ms', 'after an interaction, with the release-year bias p50 / p95 ms (its outcome)', 'no history change p50 / p95 ms', 'tensors left'],
    rows.map((r) => [r.historyLength, `${r.uncached.medianMs} / ${r.uncached.p95Ms}`, `${r.afterInteraction.medianMs} / ${r.afterInteraction.p95Ms}`, `${r.afterInteractionYearBias.medianMs} / ${r.afterInteractionYearBias.p95Ms} (${r.yearBias})`, `${r.noHistoryChange.medianMs} / ${r.noHistoryChange.p95Ms}`, r.tensorsLeft]),
  ),
  '',
  'Uncached = the path every re-rank took before (item table with its feature product rebuilt per call, a transposed product, the table rebuilt and normalised again for the dislike penalty). After an interaction = one forward pass with the cached item table; with the release-year bias (the default policy) the same pass also gives the scores after each of the newest 10 prefixes, and the bias is fitted to them (the tfjs path: in the app a like usually takes the incremental encoder, bench:browser). No history change = cached scores, ranking only (in the app this now runs on the page, with no worker call).',
].join('\n');
const out = writeResults('bench/results', 'serve', { machine, model: args.model, runs, rows }, md);
process.stderr.write(`[bench:serve] wrote ${out.json} and ${out.md}\n`);
