/**
 * Training and inference benchmark of the ML-1M-sized model on every tfjs backend Node has.
 * `npm run bench:train [-- --quick]` writes bench/results/train-<date>.json and .md.
 * Synthetic data with ML-1M-like lengths (this is a timing run; no dataset is read).
 */
import * as tf from '@tensorflow/tfjs';
import { resolveConfig, type SasRecConfig } from '../src/engine/model/config';
import { packSequences, SasRec } from '../src/engine/model/sasrec';
import { topItems } from '../src/engine/eval/rankTargets';
import { Adam } from '../src/engine/train/adam';
import { bucketedBatches, nextItemBatch, type SequenceBatch } from '../src/engine/train/batches';
import type { LossSpec } from '../src/engine/train/losses';
import { Rng } from '../src/engine/train/rng';
import { trainStep } from '../src/engine/train/trainStep';
import { activate, type BackendAvailability, type BenchBackend } from './lib/backends';
import * as kernels from './lib/kernels';
import { machineInfo } from './lib/machine';
import { table, writeResults } from './lib/report';
import { round, summarize, timeRuns, type TimingSummary } from './lib/stats';
import { ML1M_SHAPE, ml1mLikeSequences } from './lib/syntheticData';
import { parseCli } from '../scripts/lib/cli';

const USAGE = 'usage: npm run bench:train [-- --quick]   (--quick: fewer, smaller runs; results go to bench/results/quick/)';
const quick = parseCli('bench:train', USAGE, { options: { quick: { type: 'boolean', default: false } } }).values.quick;

/** What each backend runs. CPU (plain JS kernels) is ~an order of magnitude slower: smaller batches. */
interface Plan {
  trainBatch: number;
  trainRuns: number;
  inferenceRuns: number;
  outputRows: number;
  kernelRuns: number;
  /** Sequences in the bucketed-vs-random comparison (0 skips it). */
  bucketUsers: number;
  bucketBatch: number;
  bucketRounds: number;
}
const PLANS: Record<'cpu' | 'wasm', Plan> = quick
  ? {
      wasm: { trainBatch: 8, trainRuns: 2, inferenceRuns: 5, outputRows: 256, kernelRuns: 2, bucketUsers: 16, bucketBatch: 8, bucketRounds: 1 },
      cpu: { trainBatch: 4, trainRuns: 2, inferenceRuns: 5, outputRows: 128, kernelRuns: 2, bucketUsers: 0, bucketBatch: 4, bucketRounds: 0 },
    }
  : {
      wasm: { trainBatch: 128, trainRuns: 3, inferenceRuns: 30, outputRows: 2048, kernelRuns: 3, bucketUsers: 256, bucketBatch: 64, bucketRounds: 2 },
      cpu: { trainBatch: 4, trainRuns: 2, inferenceRuns: 10, outputRows: 512, kernelRuns: 2, bucketUsers: 0, bucketBatch: 4, bucketRounds: 0 },
    };

const LOSS: LossSpec = { kind: 'ce' };
const NUM_FEATURES = 28; // genres + decades of the shipped ML-1M model's content tower
const config: SasRecConfig = resolveConfig({
  numItems: ML1M_SHAPE.items, maxLen: 200, dim: 64, blocks: 2, heads: 1, ffnDim: 64, dropout: 0.2, numFeatures: NUM_FEATURES,
});

interface TrainResult {
  batch: number;
  seqLen: number;
  step: TimingSummary;
  sequencesPerSec: number;
  tokensPerSec: number;
}
interface InferenceResult {
  historyLength: number;
  /** scoreLast over the whole catalog + download + top-10 with seen items removed. */
  latency: TimingSummary;
}
interface Comparison {
  what: string;
  backend: BenchBackend;
  shape: string;
  fast: { label: string; medianMs: number };
  naive: { label: string; medianMs: number | null; unavailable?: string };
  speedup: number | null;
  /** Tensors left behind by this comparison (a naive path that throws mid-gradient leaks). */
  leakedTensors: number;
}
interface BatchingPass {
  steps: number;
  /** Fastest of `passesMs`. */
  ms: number;
  passesMs: number[];
  paddedTokens: number;
  realTokens: number;
  realTokensPerSec: number;
}
interface BucketResult {
  sequences: number;
  batchSize: number;
  random: BatchingPass;
  bucketed: BatchingPass;
  speedup: number;
}
interface BackendResult {
  availability: BackendAvailability;
  train?: TrainResult;
  inference?: InferenceResult;
  buckets?: BucketResult;
}

const log = (msg: string) => process.stderr.write(`[bench:train] ${msg}\n`);
const started = performance.now();

function syntheticFeatures(rng: Rng): tf.Tensor2D {
  const f = new Float32Array((config.numItems + 1) * NUM_FEATURES);
  for (let i = 1; i <= config.numItems; i++) {
    const a = rng.int(0, NUM_FEATURES);
    const b = rng.int(0, NUM_FEATURES);
    f[i * NUM_FEATURES + a] += 0.5;
    f[i * NUM_FEATURES + b] += 0.5;
  }
  return tf.tensor2d(f, [config.numItems + 1, NUM_FEATURES]);
}

const data = ml1mLikeSequences(ML1M_SHAPE.users, 1);
const longest = data.filter((s) => s.length > config.maxLen + 1);

async function benchTrain(model: SasRec, plan: Plan): Promise<TrainResult> {
  const opt = new Adam(model.weights);
  const rng = new Rng(3);
  // Full-length rows (the worst case, and the shape quoted in the issue: batch x 200).
  const seqs = longest.slice(0, plan.trainBatch).map((s) => s.subarray(s.length - config.maxLen - 1));
  const batch = nextItemBatch(seqs, config.maxLen);
  const times = await timeRuns(async () => { await trainStep(model, opt, batch, LOSS, 1e-3, rng); }, 1, plan.trainRuns);
  opt.dispose();
  const step = summarize(times);
  return {
    batch: plan.trainBatch,
    seqLen: batch.len,
    step,
    sequencesPerSec: round((plan.trainBatch / step.medianMs) * 1000),
    tokensPerSec: round((batch.targets.length / step.medianMs) * 1000, 0),
  };
}

async function benchInference(model: SasRec, plan: Plan): Promise<InferenceResult> {
  const history = longest[0].subarray(longest[0].length - config.maxLen);
  const seen = new Uint8Array(config.numItems + 1);
  for (const i of history) seen[i] = 1;
  const times = await timeRuns(async () => {
    const seqs = packSequences([history], config.maxLen);
    const scores = model.scoreLast(seqs);
    const row = await scores.data();
    tf.dispose([seqs, scores]);
    topItems(row, 10, (j) => j === 0 || seen[j] === 1);
  }, 3, plan.inferenceRuns);
  return { historyLength: history.length, latency: summarize(times) };
}

async function runBatches(model: SasRec, batches: SequenceBatch[]): Promise<number> {
  const opt = new Adam(model.weights);
  const rng = new Rng(5);
  const t0 = performance.now();
  for (const b of batches) await trainStep(model, opt, b, LOSS, 1e-3, rng);
  const ms = performance.now() - t0;
  opt.dispose();
  return ms;
}

async function benchBuckets(model: SasRec, plan: Plan): Promise<BucketResult> {
  const rng = new Rng(9);
  const users = rng.shuffle(data.map((_, i) => i)).slice(0, plan.bucketUsers).map((i) => data[i]);
  const lengths = users.map((s) => s.length);
  const randomIdx: number[][] = [];
  for (let i = 0; i < users.length; i += plan.bucketBatch) randomIdx.push(users.slice(i, i + plan.bucketBatch).map((_, k) => i + k));
  const bucketIdx = bucketedBatches(lengths, plan.bucketBatch, new Rng(4));
  const toBatches = (idx: number[][]) => idx.map((b) => nextItemBatch(b.map((i) => users[i]), config.maxLen));
  const randomBatches = toBatches(randomIdx);
  const bucketBatches = toBatches(bucketIdx);
  // Alternate the two and keep the fastest pass of each: the machine is shared, so the
  // minimum is the least disturbed measurement.
  const times: { random: number[]; bucketed: number[] } = { random: [], bucketed: [] };
  for (let pass = 0; pass < plan.bucketRounds; pass++) {
    times.random.push(await runBatches(model, randomBatches));
    times.bucketed.push(await runBatches(model, bucketBatches));
  }
  const describe = (batches: SequenceBatch[], passes: number[]) => {
    const ms = Math.min(...passes);
    const realTokens = batches.reduce((s, b) => s + b.targets.length, 0);
    return {
      steps: batches.length,
      ms: round(ms, 0),
      passesMs: passes.map((t) => round(t, 0)),
      paddedTokens: batches.reduce((s, b) => s + b.batch * b.len, 0),
      realTokens,
      realTokensPerSec: round((realTokens / ms) * 1000, 0),
    };
  };
  const random = describe(randomBatches, times.random);
  const bucketed = describe(bucketBatches, times.bucketed);
  return { sequences: users.length, batchSize: plan.bucketBatch, random, bucketed, speedup: round(random.ms / bucketed.ms) };
}

async function compare(backend: BenchBackend, plan: Plan, what: string, fast: [string, (x: kernels.OutputLayerInputs) => Promise<void>], naive: [string, (x: kernels.OutputLayerInputs) => Promise<void>]): Promise<Comparison> {
  const tensorsBefore = tf.memory().numTensors;
  const x = kernels.outputLayerInputs(plan.outputRows, config.numItems + 1, config.dim, 17);
  const shape = `hidden [${plan.outputRows}x${config.dim}], items [${config.numItems + 1}x${config.dim}]`;
  const fastMs = summarize(await timeRuns(() => fast[1](x), 1, plan.kernelRuns)).medianMs;
  let naiveMs: number | null = null;
  let unavailable: string | undefined;
  try {
    naiveMs = summarize(await timeRuns(() => naive[1](x), 1, plan.kernelRuns)).medianMs;
  } catch (e) {
    unavailable = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 160);
  }
  tf.dispose([x.hidden, x.table, x.targets, x.tokens]);
  return {
    what, backend, shape,
    fast: { label: fast[0], medianMs: fastMs },
    naive: { label: naive[0], medianMs: naiveMs, ...(unavailable ? { unavailable } : {}) },
    speedup: naiveMs === null ? null : round(naiveMs / fastMs),
    leakedTensors: tf.memory().numTensors - tensorsBefore,
  };
}

const machine = machineInfo();
log(`machine: ${machine.cpuCount} x ${machine.cpuModel}, node ${machine.node}, load ${machine.loadAverage1m}${quick ? ' (quick mode)' : ''}`);
const results: BackendResult[] = [];
const comparisons: Comparison[] = [];
for (const backend of ['wasm', 'cpu', 'webgpu'] as BenchBackend[]) {
  const availability = await activate(backend);
  if (!availability.available || backend === 'webgpu') {
    log(`${backend}: unavailable (${availability.reason})`);
    results.push({ availability });
    continue;
  }
  const plan = PLANS[backend];
  const tensorsBefore = tf.memory().numTensors;
  const model = SasRec.create(config, 1, syntheticFeatures(new Rng(2)));
  log(`${backend}: train step, batch ${plan.trainBatch} x ${config.maxLen}`);
  const train = await benchTrain(model, plan);
  log(`${backend}: ${train.step.medianMs} ms/step, ${train.sequencesPerSec} seq/s`);
  const inference = await benchInference(model, plan);
  log(`${backend}: inference p50 ${inference.latency.medianMs} ms, p95 ${inference.latency.p95Ms} ms`);
  const buckets = plan.bucketUsers > 0 ? await benchBuckets(model, plan) : undefined;
  if (buckets) log(`${backend}: bucketed ${buckets.bucketed.ms} ms vs random ${buckets.random.ms} ms`);
  model.dispose();
  comparisons.push(await compare(backend, plan, 'output layer: full-catalog cross-entropy, forward + backward', ['fused chunked softmax CE (fullSoftmaxLoss)', kernels.fusedCrossEntropy], ['dense logits + logSoftmax + oneHot (tf.matMul transposeB)', kernels.denseCrossEntropy]));
  comparisons.push(await compare(backend, plan, 'hidden . items^T, forward + backward', ['matmul.ts (no transposed products)', kernels.customMatmul], ['tf.matMul(a, b, false, true)', kernels.builtinMatmul]));
  comparisons.push(await compare(backend, plan, 'embedding lookup of `rows` tokens, forward + backward', ['gatherRows (scatterND gradient)', kernels.customGather], ['tf.gather (UnsortedSegmentSum gradient)', kernels.builtinGather]));
  log(`${backend}: comparisons done; tensors left over: ${tf.memory().numTensors - tensorsBefore}`);
  results.push({ availability, train, inference, buckets });
}
const totalSeconds = round((performance.now() - started) / 1000, 1);

const loadNote = machine.concurrentJobs.length
  ? `Measured UNDER LOAD: a pretraining job was using the CPU at the same time (${machine.concurrentJobs.join('; ')}; 1-min load average ${machine.loadAverage1m} on ${machine.cpuCount} cores), so absolute times are pessimistic; compare rows of the same run.`
  : `1-min load average at start: ${machine.loadAverage1m} on ${machine.cpuCount} cores.`;
const json = {
  benchmark: 'train',
  date: new Date().toISOString(),
  quick,
  machine,
  loadNote,
  model: { ...config, note: 'ML-1M size; content tower with synthetic features' },
  loss: LOSS,
  data: `synthetic: ${ML1M_SHAPE.users} users, ${ML1M_SHAPE.items} items, log-normal lengths (median ${ML1M_SHAPE.medianLength}, mean ${ML1M_SHAPE.meanLength}), Zipf item popularity`,
  plans: PLANS,
  backends: results,
  comparisons,
  totalSeconds,
};

const md: string[] = [
  `# Training benchmark (${json.date.slice(0, 10)})${quick ? ' — quick mode' : ''}`,
  '',
  `Machine: ${machine.cpuCount} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, tfjs ${machine.tfjs}. tfjs WASM in Node is single-threaded.`,
  '',
  `**${loadNote}**`,
  '',
  `Model: d=${config.dim}, ${config.blocks} blocks, ${config.heads} head, ffn ${config.ffnDim}, maxLen ${config.maxLen}, ${config.numItems} items, content tower with ${NUM_FEATURES} features, dropout ${config.dropout}; loss: full softmax cross-entropy; Adam. Data: ${json.data}.`,
  '',
  '## Train step and inference',
  '',
  table(
    ['backend', 'batch x len', 'ms/step: median (min)', 'sequences/s', 'target tokens/s', 'score catalog + top-10, p50 ms', 'p95 ms'],
    results.map((r) => r.train && r.inference
      ? [r.availability.backend, `${r.train.batch} x ${r.train.seqLen}`, `${r.train.step.medianMs} (${r.train.step.minMs}), ${r.train.step.runs} runs`, r.train.sequencesPerSec, r.train.tokensPerSec, r.inference.latency.medianMs, r.inference.latency.p95Ms]
      : [r.availability.backend, 'unavailable', r.availability.reason ?? '', '', '', '', '']),
  ),
  '',
  `Train steps use full-length rows (batch x ${config.maxLen}), median of the timed steps after one warm-up step. CPU uses batch ${PLANS.cpu.trainBatch} instead of ${PLANS.wasm.trainBatch} because its plain-JS kernels are slow; compare sequences/s, not ms/step. Inference: one user with a ${config.maxLen}-item history, scores for all ${config.numItems} items downloaded, top-10 with seen items removed.`,
  '',
  '## Fast path vs naive path (same run)',
  '',
  table(
    ['what', 'backend', 'shape', 'ours', 'ms', 'naive', 'ms', 'speedup'],
    comparisons.map((c) => [c.what, c.backend, c.shape, c.fast.label, c.fast.medianMs, c.naive.label, c.naive.medianMs ?? `unavailable: ${c.naive.unavailable}`, c.speedup === null ? '—' : `${c.speedup}x`]),
  ),
  '',
  ...comparisons.filter((c) => c.leakedTensors !== 0).map((c) => `Note: "${c.what}" on ${c.backend} left ${c.leakedTensors} tensors behind (the naive path failed mid-gradient).\n`),
];
const bucketRows = results.filter((r) => r.buckets);
if (bucketRows.length) {
  md.push('## Length bucketing vs random batches (train steps)', '');
  md.push(table(
    ['backend', 'sequences', 'batching', 'steps', 'padded tokens', 'real tokens', 'ms (fastest pass)', 'all passes, ms', 'real tokens/s'],
    bucketRows.flatMap((r) => {
      const b = r.buckets as BucketResult;
      return [
        [r.availability.backend, b.sequences, `random, batch ${b.batchSize}`, b.random.steps, b.random.paddedTokens, b.random.realTokens, b.random.ms, b.random.passesMs.join(', '), b.random.realTokensPerSec],
        [r.availability.backend, b.sequences, `bucketed by length, batch ${b.batchSize}`, b.bucketed.steps, b.bucketed.paddedTokens, b.bucketed.realTokens, b.bucketed.ms, b.bucketed.passesMs.join(', '), b.bucketed.realTokensPerSec],
      ];
    }),
  ));
  md.push('', `Same sequences both ways; ML-1M-like lengths (histories longer than ${config.maxLen} keep their newest ${config.maxLen} steps). The passes alternate (random, bucketed, random, ...); the fastest pass of each counts.`, '');
}
md.push(`Total benchmark time: ${totalSeconds} s. Command: \`npm run bench:train${quick ? ' -- --quick' : ''}\`.`);

const paths = writeResults(quick ? 'bench/results/quick' : 'bench/results', 'train', json, md.join('\n'));
log(`wrote ${paths.json} and ${paths.md} in ${totalSeconds} s`);
