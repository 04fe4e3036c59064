/**
 * Where a training step's time goes (encoder vs softmax) and tokens/s, full vs sampled softmax,
 * on an ML-1M-shaped catalog (3,416 items, long histories) and a generated 20,000-item catalog
 * with short histories (mean ~8): the numbers behind the `auto` preset's loss choice
 * (scripts/lib/presets.ts, SAMPLED_SOFTMAX_FROM_ITEMS). Part of `npm run bench:train`; alone:
 * `npx tsx bench/trainLoss.ts [--quick]`. Writes bench/results/train-loss-<date>.json and .md.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { resolveConfig } from '../src/engine/model/config';
import { SasRec } from '../src/engine/model/sasrec';
import { Adam } from '../src/engine/train/adam';
import { nextItemBatch, type SequenceBatch } from '../src/engine/train/batches';
import { computeLoss, type LossSpec } from '../src/engine/train/losses';
import { Rng } from '../src/engine/train/rng';
import { trainStep } from '../src/engine/train/trainStep';
import { parseCli } from '../scripts/lib/cli';
import { SAMPLED_NEGATIVES } from '../scripts/lib/presets';
import { machineInfo } from './lib/machine';
import { table, writeResults } from './lib/report';
import { round, summarize, timeRuns } from './lib/stats';
import { ML1M_SHAPE, ml1mLikeSequences } from './lib/syntheticData';

const USAGE = 'usage: npx tsx bench/trainLoss.ts [--quick] [--batch N]   (--quick: batch 16, one run; results go to bench/results/quick/)';
const cli = parseCli('bench:train', USAGE, { options: { quick: { type: 'boolean', default: false }, batch: { type: 'string' } } }).values;
const quick = cli.quick;
const BATCH = cli.batch ? Math.max(1, Number(cli.batch) || 1) : quick ? 16 : 128;
const RUNS = quick ? 1 : 3;
const log = (m: string) => process.stderr.write(`[bench:train loss] ${m}\n`);

/** Short histories over a long-tailed catalog: lengths 3..30, mean ~8. */
function shortHistories(users: number, numItems: number, seed: number): Int32Array[] {
  const rng = new Rng(seed);
  const cdf = new Float64Array(numItems);
  let total = 0;
  for (let i = 0; i < numItems; i++) cdf[i] = total += 1 / Math.pow(i + 1, 0.8);
  const draw = () => { const x = rng.next() * total; let lo = 0; let hi = numItems - 1; while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] < x) lo = mid + 1; else hi = mid; } return lo + 1; };
  return Array.from({ length: users }, () => {
    const len = Math.min(30, 3 + Math.floor(-Math.log(1 - rng.next()) * 5));
    return Int32Array.from({ length: len }, draw);
  });
}

interface Row { data: string; items: number; maxLen: number; loss: string; stepMs: number; softmaxMs: number; encoderMs: number; softmaxShare: number; tokensPerSec: number; targets: number }

/** Forward + backward of the loss alone, from fixed hidden states (the softmax part of a step). */
async function softmaxOnly(model: SasRec, batch: SequenceBatch, spec: LossSpec): Promise<number> {
  const rows = batch.targets.length;
  const n = model.config.numItems;
  const hidden = tf.variable(tf.randomNormal([rows, model.config.dim], 0, 0.1) as tf.Tensor2D);
  const table = tf.variable(tf.randomNormal([n + 1, model.config.dim], 0, 0.02) as tf.Tensor2D);
  const targets = tf.tensor1d(batch.targets, 'int32');
  const rng = new Rng(5);
  const logQ = tf.fill([n + 1], -Math.log(n)) as tf.Tensor1D;
  const times = await timeRuns(async () => {
    const negatives = spec.kind === 'sampled' ? tf.tensor1d(Int32Array.from({ length: spec.numNegatives ?? 256 }, () => 1 + Math.floor(rng.next() * n)), 'int32') : undefined;
    const { value, grads } = tf.variableGrads(() => computeLoss(spec, { hidden, table, targets, negatives, logQ }), [hidden, table]);
    await value.data();
    tf.dispose([value, ...Object.values(grads), negatives ?? []]);
  }, 1, RUNS);
  tf.dispose([hidden, table, targets, logQ]);
  return summarize(times).medianMs;
}

async function measure(data: string, seqs: Int32Array[], numItems: number, maxLen: number, spec: LossSpec): Promise<Row> {
  const before = tf.memory().numTensors;
  const model = SasRec.create(resolveConfig({ numItems, maxLen, dim: 128, blocks: 2, heads: 1, ffnDim: 128, dropout: 0.1, positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier' }), 1);
  const opt = new Adam(model.weights);
  const rng = new Rng(3);
  const pick = new Rng(9);
  const batchSeqs = Array.from({ length: BATCH }, () => { const s = seqs[Math.floor(pick.next() * seqs.length)]; return s.subarray(Math.max(0, s.length - maxLen - 1)); });
  const batch = nextItemBatch(batchSeqs, maxLen);
  const step = summarize(await timeRuns(async () => { await trainStep(model, opt, batch, spec, 1e-3, rng); }, 1, RUNS)).medianMs;
  const softmaxMs = await softmaxOnly(model, batch, spec);
  opt.dispose();
  model.dispose();
  log(`tensors: ${tf.memory().numTensors - before} left by this measurement`);
  const label = spec.kind === 'ce' ? 'full softmax' : `sampled, ${spec.numNegatives} negatives`;
  const row: Row = {
    data, items: numItems, maxLen, loss: label, stepMs: round(step, 1), softmaxMs: round(softmaxMs, 1), encoderMs: round(Math.max(0, step - softmaxMs), 1),
    softmaxShare: round(Math.min(1, softmaxMs / step), 3), tokensPerSec: round((batch.targets.length / step) * 1000, 0), targets: batch.targets.length,
  };
  log(`${data} ${label}: step ${row.stepMs} ms (softmax ${row.softmaxMs} ms), ${row.tokensPerSec} tokens/s`);
  return row;
}

await tf.setBackend('wasm');
await tf.ready();
const load = (await import('node:os')).loadavg();
const ml1m = ml1mLikeSequences(ML1M_SHAPE.users, 1);
const short = shortHistories(20_000, 20_000, 2);
const full: LossSpec = { kind: 'ce' };
const sampled: LossSpec = { kind: 'sampled', numNegatives: SAMPLED_NEGATIVES };
const rows: Row[] = [];
for (const spec of [full, sampled]) rows.push(await measure('ML-1M-shaped (3,416 items, maxLen 200)', ml1m, ML1M_SHAPE.items, 200, spec));
for (const spec of [full, sampled]) rows.push(await measure('generated short histories (20,000 items, mean ~8, maxLen 20)', short, 20_000, 20, spec));
const tensorsLeft = tf.memory().numTensors;
const machine = machineInfo();
const md = `# bench:train, loss: where a step's time goes (${new Date().toISOString().slice(0, 10)})

tfjs ${tf.version.tfjs} WASM backend in Node, batch ${BATCH} sequences, d 128, 2 blocks, median of ${RUNS} steps after one warm-up.
"softmax" = forward + backward of the loss alone from fixed hidden states; "encoder" = step minus that.
Machine: ${machine.cpuModel}, ${machine.cpuCount} cores; other training jobs at start: ${machine.concurrentJobs.length}; load average at start ${load.map((x) => x.toFixed(1)).join(' / ')} (shared machine: absolute times are inflated, ratios hold better).

${table(['data', 'loss', 'step ms', 'softmax ms', 'encoder ms', 'softmax share', 'tokens/s'], rows.map((r) => [r.data, r.loss, r.stepMs, r.softmaxMs, r.encoderMs, r.softmaxShare, r.tokensPerSec]))}

Tensors left after all runs: ${tensorsLeft}.
`;
const paths = writeResults(quick ? 'bench/results/quick' : 'bench/results', 'train-loss', { batch: BATCH, runs: RUNS, loadavg: load, machine, rows, tensorsLeft }, md);
process.stdout.write(md);
log(`wrote ${paths.json} and ${paths.md}`);
