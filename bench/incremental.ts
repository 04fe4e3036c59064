/**
 * The forward pass after a like (issue 23), Node, tfjs WASM, the shipped model: the tfjs pass
 * (`scoreCatalog` with the cached item table) against the incremental encoder's append of the
 * newest item (plain TypeScript, key/value cache) plus the product with the item table, taken in
 * JS ([vocab, dim] loop) or as one tfjs matMul with the cached transposed table; and the encoder's
 * `build` of the whole history (the idle-time rebuild after a tfjs pass). Also checks parity.
 *
 *   npx tsx bench/incremental.ts [-- --model ml-1m-sasrec] [--runs 20]
 *
 * Writes bench/results/incremental-<date>.json and .md.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { IncrementalEncoder } from '../src/engine/model/incrementalEncoder';
import { ItemTables } from '../src/engine/rank/itemTables';
import { scoreCatalog } from '../src/engine/rank/scoreCatalog';
import { parseCli } from '../scripts/lib/cli';
import { machineInfo } from './lib/machine';
import { loadBenchModel } from './lib/modelFolder';
import { table, writeResults } from './lib/report';
import { summarize, timeRuns, type TimingSummary } from './lib/stats';

const USAGE = 'usage: npx tsx bench/incremental.ts -- [--model <name under public/models>] [--runs 20]';
const { values: args } = parseCli('bench:incremental', USAGE, { options: { model: { type: 'string', default: 'ml-1m-sasrec' }, runs: { type: 'string', default: '20' } } });
const runs = Number(args.runs);

await tf.setBackend('wasm');
const machine = machineInfo();
const { model, byPopularity } = loadBenchModel(args.model);
const tables = new ItemTables(model);
const tableT = tables.tableT();
const t0 = performance.now();
const enc = await IncrementalEncoder.load(model, Float32Array.from((await tables.table().data()) as Float32Array));
const loadMs = performance.now() - t0;
const { dim } = model.config;

interface Row { historyLength: number; tfjs: TimingSummary; appendJs: TimingSummary; appendOnly: TimingSummary; appendTfjsProduct: TimingSummary; build: TimingSummary; maxAbsDiff: number; tensorsLeft: number }
const rows: Row[] = [];
const warmup = 3;
for (const historyLength of [1, 10, 50, 199]) {
  const seq = Array.from({ length: historyLength }, (_, i) => byPopularity[i % 7 === 6 ? 200 + i : i]);
  const newest = seq[historyLength - 1];
  const before = tf.memory().numTensors;
  const tfjs = await timeRuns(async () => { await scoreCatalog(model, seq, tables); }, warmup, runs);
  enc.build(seq.slice(0, -1));
  const appendJs = await timeRuns(async () => {
    enc.truncate(historyLength - 1);
    enc.scores(enc.append(newest));
  }, warmup, runs);
  const appendOnly = await timeRuns(async () => {
    enc.truncate(historyLength - 1);
    enc.append(newest);
  }, warmup, runs);
  const appendTfjsProduct = await timeRuns(async () => {
    enc.truncate(historyLength - 1);
    const h = enc.append(newest);
    const s = tf.tidy(() => tf.reshape(tf.matMul(tf.tensor2d(h, [1, dim]), tableT), [-1]));
    const out = (await s.data()) as Float32Array;
    out[0] = -1e9;
    s.dispose();
  }, warmup, runs);
  const build = await timeRuns(async () => { enc.build(seq); }, 1, Math.min(runs, 10));
  const ref = await scoreCatalog(model, seq, tables);
  enc.build(seq.slice(0, -1));
  const inc = enc.scores(enc.append(newest));
  let maxAbsDiff = 0;
  for (let i = 1; i < ref.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ref[i] - inc[i]));
  rows.push({ historyLength, tfjs: summarize(tfjs), appendJs: summarize(appendJs), appendOnly: summarize(appendOnly), appendTfjsProduct: summarize(appendTfjsProduct), build: summarize(build), maxAbsDiff, tensorsLeft: tf.memory().numTensors - before });
  const r = rows[rows.length - 1];
  process.stderr.write(`[bench:incremental] history ${historyLength}: tfjs ${r.tfjs.medianMs} ms, append + JS product ${r.appendJs.medianMs} ms (append ${r.appendOnly.medianMs}), append + tfjs product ${r.appendTfjsProduct.medianMs} ms, build ${r.build.medianMs} ms, max |diff| ${maxAbsDiff.toExponential(2)}\n`);
}
tables.dispose();
model.dispose();

const md = [
  `# Forward pass after a like: tfjs vs incremental encoder (Node, tfjs WASM) ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Model \`${args.model}\` (${model.config.numItems} items, dim ${dim}, ${model.config.blocks} blocks, block ${model.config.block ?? 'preLN'}), ${machine.cpuModel} (${machine.cpuCount} cores), load average ${machine.loadAverage1m} at start. Command: \`npx tsx bench/incremental.ts\`. Medians (p95) of ${runs} runs after ${warmup} warm-up runs (build: 10 runs). Encoder weights + table read once: ${loadMs.toFixed(1)} ms.`,
  '',
  table(
    ['history length', 'tfjs scoreCatalog ms', 'append + JS product ms', 'append only ms', 'append + tfjs matMul ms', 'build (idle rebuild) ms', 'max abs diff', 'tensors left'],
    rows.map((r) => [r.historyLength, `${r.tfjs.medianMs} (${r.tfjs.p95Ms})`, `${r.appendJs.medianMs} (${r.appendJs.p95Ms})`, `${r.appendOnly.medianMs} (${r.appendOnly.p95Ms})`, `${r.appendTfjsProduct.medianMs} (${r.appendTfjsProduct.p95Ms})`, `${r.build.medianMs} (${r.build.p95Ms})`, r.maxAbsDiff.toExponential(2), r.tensorsLeft]),
  ),
  '',
  'tfjs = `scoreCatalog` with the cached item table (the whole history through the encoder, product with the cached transposed table, read back). Append = the newest position only, through the key/value cache of the others. Max abs diff: incremental vs tfjs scores (items 1..numItems).',
].join('\n');
const out = writeResults('bench/results', 'incremental', { machine, model: args.model, runs, loadMs, rows }, md);
process.stderr.write(`[bench:incremental] wrote ${out.json} and ${out.md}\n`);
