/**
 * Where one on-device fine-tuning step goes (Node, tfjs WASM, the shipped model): the item table
 * (ID embedding + content-feature product, before and after issue 23), the encoder, the softmax over all items, the Adam
 * update of every weight, clipping / L2 / drift cap, one validation, the replay rows' distillation
 * targets (computed, as every run did, or assembled from the per-row `TeacherCache` the app's live
 * model keeps), and a whole `finetune` run (the app's function, 8 steps forced by a wide
 * tolerance) for the per-step total, without and with the teacher cache.
 *
 *   npm run bench:learn-step [-- --model ml-1m-sasrec] [--history 50] [--runs 10] [--tag <name>]
 *
 * Parts are timed alone (forward + backward where training does both), so their sum is close to,
 * not equal to, a step. Writes bench/results/learn-step[-<tag>]-<date>.json and .md (-2, -3, … for later runs that day).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { featureProduct } from '../src/engine/model/featureProduct';
import { gatherRows } from '../src/engine/model/gatherRows';
import { matmul } from '../src/engine/model/matmul';
import { padColumnBias, packSequences } from '../src/engine/model/sasrec';
import { Adam } from '../src/engine/train/adam';
import { finetune } from '../src/engine/train/finetune';
import { rowTensors } from '../src/engine/train/finetuneData';
import { nextItemPart, type NextItemPart } from '../src/engine/train/finetuneRows';
import { logSumExpRows } from '../src/engine/train/logSumExpRows';
import { mechanismOf, resolvePolicy } from '../src/engine/train/finetunePolicy';
import { validateReplay } from '../src/engine/train/replay';
import { partTeacher, TeacherCache } from '../src/engine/train/teacherCache';
import { interpretEvents } from '../src/engine/signals';
import { parseCli } from '../scripts/lib/cli';
import { machineInfo } from './lib/machine';
import { loadBenchModel } from './lib/modelFolder';
import { table, writeResults } from './lib/report';
import { summarize, timeRuns, type TimingSummary } from './lib/stats';

const USAGE = 'usage: npm run bench:learn-step -- [--model <name under public/models>] [--history 50] [--runs 10] [--tag <name>]';
const { values: args } = parseCli('bench:learn-step', USAGE, {
  options: { model: { type: 'string', default: 'ml-1m-sasrec' }, history: { type: 'string', default: '50' }, runs: { type: 'string', default: '10' }, tag: { type: 'string' } },
});
const runs = Number(args.runs);
const historyLength = Number(args.history);

await tf.setBackend('wasm');
const machine = machineInfo();
const { dir, model, byPopularity } = loadBenchModel(args.model);
const replay = validateReplay(JSON.parse(readFileSync(`${dir}replay.json`, 'utf8')), model.config.numItems);
const cfg = model.config;
const vocab = cfg.numItems + 1;
// A person who liked popular items, every 7th one further down the list (varied, like the app's bench).
const history = interpretEvents(Array.from({ length: historyLength }, (_, i) => ({ itemId: byPopularity[i % 7 === 6 ? 200 + i : i], type: 'like' as const, at: i })));
const policy = resolvePolicy({});
const vars = [...model.weights.values()];
const names = [...model.weights.keys()];
const features = model.features as tf.Tensor2D;
const featEmb = model.w('feat_emb');
const itemEmb = model.w('item_emb');

/** Forward + backward of `loss` with respect to `xs`; waits for the backend. */
async function grads(loss: () => tf.Scalar, xs: tf.Variable[]): Promise<void> {
  const { value, grads: g } = tf.variableGrads(loss, xs);
  await value.data();
  tf.dispose([value, ...Object.values(g)]);
}

const seq = packSequences([history.sequence.slice(0, -1)], cfg.maxLen);
const [, len] = seq.shape;
const targets = tf.tensor1d(Int32Array.from(history.sequence.slice(1)), 'int32');
const positions = tf.tensor1d(Int32Array.from({ length: len }, (_, i) => i), 'int32');
const pad = padColumnBias(vocab);
// The replay rows one run trains on (policy.replayRows of them).
const replayRows = replay.slice(0, policy.replayRows);
const rowsOut = len + replayRows.reduce((a, r) => a + Math.min(r.length, cfg.maxLen) - 1, 0);
const upTable = tf.randomNormal([vocab, cfg.dim], 0, 1, 'float32', 1);
const frozenTable = tf.keep(tf.tidy(() => model.itemTable()));
const hiddenRows = tf.variable(tf.randomNormal([rowsOut, cfg.dim], 0, 0.1, 'float32', 2) as tf.Tensor2D, true);
const oneHot = tf.oneHot(tf.tensor1d(Int32Array.from({ length: rowsOut }, (_, i) => byPopularity[i % 500]), 'int32'), vocab);

const parts: Record<string, TimingSummary> = {};
const time = async (name: string, fn: () => Promise<void>): Promise<void> => {
  parts[name] = summarize(await timeRuns(fn, 2, runs));
  process.stderr.write(`[bench:learn-step] ${name}: ${parts[name].medianMs} ms\n`);
};
const before = tf.memory().numTensors;

await time('item table, feature product with a gradient for feat_emb only (now), forward + backward', () => grads(() => tf.sum(tf.mul(tf.add(itemEmb, featureProduct(features, featEmb as tf.Tensor2D)), upTable)), [itemEmb, featEmb]));
await time('item table, plain product (before: also the gradient of the constant features), forward + backward', () => grads(() => tf.sum(tf.mul(tf.add(itemEmb, matmul(features, featEmb as tf.Tensor2D)), upTable)), [itemEmb, featEmb]));
const encoderVars = vars.filter((_, i) => !['item_emb', 'feat_emb'].includes(names[i]));
await time(`encoder (2 blocks, ${len} positions), forward + backward`, () => grads(() => tf.sum(model.encode(frozenTable, seq, { training: false })), encoderVars));
for (const [label, lse] of [['tf.logSumExp, before', (x: tf.Tensor2D) => tf.logSumExp(x, 1)], ['logSumExpRows, now', logSumExpRows]] as const) {
  await time(`softmax over all ${vocab} items (${rowsOut} rows: the person + ${replayRows.length} replay rows, ${label}), forward + backward`, () => grads(() => {
    const logits = tf.add(matmul(hiddenRows, frozenTable, false, true), pad) as tf.Tensor2D;
    return tf.mean(tf.sub(lse(logits), tf.sum(tf.mul(logits, oneHot), 1)));
  }, [hiddenRows]));
}
const personLoss = (): tf.Scalar => {
  const t = model.itemTable();
  const h = tf.reshape(model.encode(t, seq, { training: false }), [len, cfg.dim]) as tf.Tensor2D;
  const logits = tf.add(matmul(gatherRows(h, positions), t, false, true), pad) as tf.Tensor2D;
  return tf.mean(tf.sub(logSumExpRows(logits), tf.sum(tf.mul(logits, tf.oneHot(targets, vocab)), 1)));
};
await time('person loss end to end (item table + encoder + softmax), forward + backward', () => grads(personLoss, vars));
// Kernel time of that forward + backward by kernel (tf.profile), largest first.
const profile = await tf.profile(() => grads(personLoss, vars));
const byKernel = new Map<string, number>();
for (const k of profile.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
const kernels = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10 }));
const gradsAll = new Map(names.map((n, i) => [n, tf.tidy(() => tf.mul(tf.onesLike(vars[i]), 1e-4))]));
const adam = new Adam(new Map(names.map((n, i) => [n, vars[i]])), { clipNorm: 0 });
const pretrainedCopy = new Map(names.map((n, i) => [n, tf.clone(vars[i])]));
await time(`Adam update of all ${names.length} weights (${vars.reduce((a, v) => a + v.size, 0)} numbers)`, async () => {
  adam.apply(gradsAll, 1e-9);
  await vars[0].data();
});
await time('clip norm + L2 to pretrained + drift measure (all weights)', async () => {
  const s = tf.tidy(() => {
    const norm = tf.sqrt([...gradsAll.values()].map((g) => tf.sum(tf.square(g))).reduce((a, b) => tf.add(a, b)));
    const l2 = names.map((n, i) => tf.sum(tf.square(tf.sub(vars[i], pretrainedCopy.get(n) as tf.Tensor)))).reduce((a, b) => tf.add(a, b));
    return tf.add(norm, l2);
  });
  await s.data();
  s.dispose();
});
await time('validation (one held-out item: item table + forward pass)', async () => {
  const v = tf.tidy(() => tf.max(model.scoreLast(seq)));
  await v.data();
  v.dispose();
});
adam.dispose();
tf.dispose([...gradsAll.values(), ...pretrainedCopy.values()]);

// The replay rows' distillation targets at the start of a run (fullObjective.prepareTeachers), as
// fullObjective computes them: softmax over all items at each replay position. WASM runs ops
// synchronously, so the timing is complete without a read-back.
const replayPart = nextItemPart(replayRows, cfg.maxLen, () => 1);
const teacherOf = (p: NextItemPart): tf.Tensor2D => tf.tidy(() => {
  const t = rowTensors(p);
  const table = model.itemTable();
  const h = tf.reshape(model.encode(table, t.seqs, { training: false }), [t.rows * t.len, cfg.dim]) as tf.Tensor2D;
  return tf.softmax(tf.add(matmul(gatherRows(h, t.pos), table, false, true), pad)) as tf.Tensor2D;
});
await time(`replay teachers (${replayRows.length} rows, ${replayPart.positions.length} positions x ${vocab} items), computed (every run before)`, async () => { teacherOf(replayPart).dispose(); });
const benchTeachers = new TeacherCache(replay.length);
partTeacher(replayPart, benchTeachers, cfg.maxLen, vocab, teacherOf).dispose();
await time(`replay teachers, from the cache (per-row assembly of ${replayRows.length} rows, ${(benchTeachers.bytes / 1e6).toFixed(1)} MB held)`, async () => {
  partTeacher(replayPart, benchTeachers, cfg.maxLen, vocab, teacherOf).dispose();
});
benchTeachers.dispose();

// A whole run of the app's function (8 steps forced: every validation passes).
const pretrained = new Map(names.map((n, i) => [n, tf.clone(vars[i])]));
// Alternated without and with the live model's teacher cache (warm after its first run: the same
// history reads the same window of the pool every run).
const runMs: number[] = [];
const cachedRunMs: number[] = [];
const runTeachers = new TeacherCache(replay.length);
for (let i = 0; i < Math.max(3, Math.ceil(runs / 3)) + 1; i++) {
  for (const [out, teachers] of [[runMs, undefined], [cachedRunMs, runTeachers]] as const) {
    const t0 = performance.now();
    const r = await finetune({ model, pretrained, history, policy: { ...policy, tolerance: 100 }, replay, teachers });
    // The first cached run fills the cache: not counted (nor its partner without).
    if (i > 0) out.push(performance.now() - t0);
    if (r.ran !== policy.steps) throw new Error(`expected ${policy.steps} steps, ran ${r.ran}`);
    for (const [n, t] of pretrained) model.w(n).assign(t);
  }
}
const run = summarize(runMs);
const cachedRun = summarize(cachedRunMs);
process.stderr.write(`[bench:learn-step] finetune run (${policy.steps} steps): ${run.medianMs} ms; with the teacher cache: ${cachedRun.medianMs} ms (${runTeachers.hits} rows from the cache, ${runTeachers.misses} computed)\n`);
runTeachers.dispose();
tf.dispose([...pretrained.values()]);
const leaked = tf.memory().numTensors - before;
tf.dispose([seq, targets, positions, pad, upTable, frozenTable, hiddenRows, oneHot]);
model.dispose();

const md = [
  `# One fine-tuning step, by part (Node, tfjs WASM) ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Model \`${args.model}\` (${cfg.numItems} items, d ${cfg.dim}, ${cfg.blocks} blocks), a ${historyLength}-like history, the model's ${replay.length} replay rows, default policy (mechanism ${mechanismOf(policy)}; the parts below are of every weight). ${machine.cpuModel} (${machine.cpuCount} cores), load average ${machine.loadAverage1m} at start${machine.concurrentJobs.length ? `, other jobs: ${machine.concurrentJobs.join('; ')}` : ''}. Command: \`npm run bench:learn-step\`. Medians of ${runs} runs after 2 warm-up runs.`,
  '',
  table(['part', 'median ms', 'p95 ms'], Object.entries(parts).map(([k, v]) => [k, v.medianMs, v.p95Ms])),
  '',
  `Kernels of the person loss (forward + backward, tf.profile, ms): ${kernels.map((k) => `${k.name} ${k.ms}`).join(', ')}.`,
  '',
  `Whole \`finetune\` run (${mechanismOf(policy)}), ${policy.steps} steps + ${Math.ceil(policy.steps / policy.validateEvery) + 2} validations: median ${run.medianMs} ms (${(run.medianMs / policy.steps).toFixed(1)} ms per step all included; ${run.runs} runs); with the replay teachers from the cache (\`LiveModel.teachers\`, warm): median ${cachedRun.medianMs} ms (${cachedRun.runs} runs, alternated with the former). Tensors left: ${leaked}.`,
].join('\n');
const out = writeResults('bench/results', `learn-step${args.tag ? `-${args.tag}` : ''}`, { machine, model: args.model, historyLength, runs, parts, kernels, finetuneRun: run, finetuneRunCachedTeachers: cachedRun, tensorsLeft: leaked }, md);
process.stderr.write(`[bench:learn-step] wrote ${out.json} and ${out.md}\n`);
