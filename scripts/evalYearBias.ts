/**
 * The experiment behind the feed's release-year bias, on the `shift` and `standard` protocols
 * (docs/ON_DEVICE.md, "A per-person bias over release years"; the app's own bias, with buckets
 * anchored at each person's newest year, is measured by `eval:ondevice`):
 * the shipped model's feed for each person, and the same feed with a per-person bias over
 * release-year buckets fitted to the person's own most recent items (`src/engine/rank/yearBias.ts`).
 * Same people, future items, candidates and feed scoring (`personalScores`, the default policy's
 * rank-time settings) as `eval:ondevice` with the same `--protocol`; no weights change. Years come
 * from the model folder's catalog.json, else from the data's catalog (standard protocol).
 *
 *   npm run eval:year-bias -- --data ../shared/datasets/ml-100k --model public/models/ml-1m-sasrec \
 *     --holdout-users 0.8 [--protocol shift|standard] [--users N] [--skip-users N] [--cuts 10] [--l2 0.1] [--validate] [--json out.json]
 *
 * `--validate`: as fine-tuning does, the newest item is held out: the bias is fitted on the others
 * and kept only when it makes the newest item more likely (else no bias for that person);
 * `--held-out N` holds out the N newest instead, `--min-gain G` keeps the bias only when their mean
 * log-likelihood gain exceeds G nats. `--min-gap Y` keeps it only when the fitting items are on
 * average more than Y years newer than the model expects (the app's gate, `yearBiasMinGap`).
 * `--finetune`: first the app's own fine-tuning run (`finetune`, the default policy: a LoRA adapter,
 * with the model folder's replay exemplars, as `eval:ondevice`), then the bias fitted on the
 * fine-tuned model; the fine-tuned feed without the bias is reported too.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapLiftCi, liftPct, mean } from '../src/engine/eval/bootstrap';
import { multiTargetMetrics, topK } from '../src/engine/eval/multiTarget';
import { assignWeights, copyModel } from '../src/engine/eval/onDeviceEval';
import { futureEpisode } from '../src/engine/eval/onDeviceEpisodes';
import { personalScores } from '../src/engine/rank/personalScores';
import { scoreCatalog } from '../src/engine/rank/scoreCatalog';
import { interpretEvents } from '../src/engine/signals';
import { finetune } from '../src/engine/train/finetune';
import { resolvePolicy } from '../src/engine/train/finetunePolicy';
import { failWith, intOption, parseCli } from './lib/cli';
import { loadModelFiles } from './lib/modelFiles';
import { loadDataset } from './lib/loadDataset';
import { readModelCatalog, setupProtocol } from './lib/onDeviceProtocols';
import { readReplayFile } from './lib/replayFile';
import { biasGain, bucketCase, fitBucketBias, withBucketBias, YEAR_EDGES, yearBuckets, type BucketCase } from '../src/engine/rank/yearBias';

const USAGE = 'usage: npm run eval:year-bias -- --data <data dir> --model <model dir> [--protocol shift|standard] [--holdout-users 0.8] [--holdout-seed 7] [--users N] [--skip-users N] [--cuts 10] [--l2 0.1] [--validate [--held-out 1] [--min-gain 0]] [--min-gap Y] [--finetune] [--json <out.json>]';
const { values: args } = parseCli('eval:year-bias', USAGE, {
  options: {
    data: { type: 'string' },
    model: { type: 'string' },
    json: { type: 'string' },
    protocol: { type: 'string', default: 'shift' },
    'holdout-users': { type: 'string', default: '0.8' },
    'holdout-seed': { type: 'string', default: '7' },
    users: { type: 'string' },
    'skip-users': { type: 'string' },
    cuts: { type: 'string', default: '10' },
    l2: { type: 'string', default: '0.1' },
    validate: { type: 'boolean', default: false },
    finetune: { type: 'boolean', default: false },
    'held-out': { type: 'string', default: '1' },
    'min-gain': { type: 'string', default: '0' },
    'min-gap': { type: 'string' },
  },
});
const fail: (message: string) => never = failWith('eval:year-bias');
const K = 10;

async function main(): Promise<void> {
  if (!args.data || !args.model) fail(USAGE);
  const l2 = Number(args.l2);
  if (!(Number.isFinite(l2) && l2 >= 0)) fail(`--l2 must be a number >= 0, got "${args.l2}"`);
  const cuts = intOption(fail, 'cuts', args.cuts ?? '10');
  const heldOut = intOption(fail, 'held-out', args['held-out'] ?? '1');
  const minGain = Number(args['min-gain']);
  if (!Number.isFinite(minGain)) fail(`--min-gain must be a number, got "${args['min-gain']}"`);
  await tf.setBackend('wasm');
  await tf.ready();
  const t0 = Date.now();
  const { model } = loadModelFiles(args.model);
  const protocol = args.protocol;
  if (protocol !== 'shift' && protocol !== 'standard') fail(`--protocol must be shift or standard, got "${protocol}"`);
  const setup = setupProtocol(protocol, {
    data: args.data, modelDir: args.model, model, holdoutShare: Number(args['holdout-users']), holdoutSeed: Number(args['holdout-seed']),
    users: args.users !== undefined ? intOption(fail, 'users', args.users, 0) : undefined,
    skipUsers: args['skip-users'] !== undefined ? intOption(fail, 'skip-users', args['skip-users'], 0) : undefined,
    reference: 0, seed: 1, futureCount: 3,
  }, (m) => process.stderr.write(`eval:year-bias: warning: ${m}\n`));
  if (!setup.people.length) fail('no people to evaluate: lower --skip-users');
  const numItems = model.config.numItems;
  const yearOf: (number | null)[] = new Array(numItems + 1).fill(null);
  const catalog = existsSync(join(args.model, 'catalog.json')) ? readModelCatalog(args.model) : loadDataset(args.data).catalog;
  if (!catalog) fail(`no release years: ${args.model} has no catalog.json and ${args.data} no catalog`);
  for (const c of catalog) if (c.id <= numItems) yearOf[c.id] = c.year;
  const buckets = yearBuckets(yearOf, YEAR_EDGES);
  const count = YEAR_EDGES.length + 1;
  const minGap = args['min-gap'] !== undefined ? Number(args['min-gap']) : null;
  if (minGap !== null && !Number.isFinite(minGap)) fail(`--min-gap must be a number of years, got "${args['min-gap']}"`);
  let gated = 0;
  const gaps: number[] = [];
  const policy = resolvePolicy();
  const excluded = setup.excluded ?? new Set<number>();
  const pre: number[] = [], post: number[] = [], hrPre: number[] = [], hrPost: number[] = [];
  const biases: Float64Array[] = [];
  let kept = 0;
  const tuned: number[] = [], hrTuned: number[] = [];
  let tunedKept = 0;
  const replay = readReplayFile(args.model, numItems);
  const live = args.finetune ? copyModel(model) : null;
  const anchor = live ? new Map([...model.weights].map(([n, v]) => [n, v as tf.Tensor])) : null;
  for (const [n, u] of setup.people.entries()) {
    const ep = futureEpisode(setup.dataset, u, 3, policy.minHistory + 1);
    if (!ep || !ep.future.length) continue;
    const view = interpretEvents(ep.events);
    if (view.sequence.length < policy.minHistory) continue;
    const skip = new Set([...view.seen, ...excluded]);
    const base = await personalScores(model, view, policy, setup.prior);
    const a = multiTargetMetrics(topK(base, K, skip), ep.future, K);
    // --finetune: the app's run on a copy; the bias is then fitted and applied on the fine-tuned model.
    let served = model;
    let servedScores = base;
    if (live && anchor) {
      const r = await finetune({ model: live, pretrained: anchor, history: view, policy, replay });
      if (r.accepted) tunedKept++;
      served = live;
      servedScores = await personalScores(live, view, policy, setup.prior);
      const t = multiTargetMetrics(topK(servedScores, K, skip), ep.future, K);
      tuned.push(t.ndcg); hrTuned.push(t.hr);
    }
    // Fit on the person's newest items, each after the items before it.
    const seq = view.sequence;
    const cases: BucketCase[] = [];
    for (let t = Math.max(1, seq.length - cuts); t < seq.length; t++) {
      const before = seq.slice(0, t);
      const c = bucketCase(await scoreCatalog(served, before), buckets, count, new Set([0, ...before, ...excluded]), seq[t], yearOf);
      if (c) cases.push(c);
    }
    // --validate: fitted without the newest items, kept only when it makes them more likely.
    const validating = args.validate && cases.length > heldOut;
    let bias = fitBucketBias(validating ? cases.slice(0, -heldOut) : cases, count, l2);
    if (validating) {
      if (mean(cases.slice(-heldOut).map((c) => biasGain(c, bias))) > minGain) kept++;
      else bias = new Float64Array(count);
    }
    const gap = mean(cases.map((c) => c.gap));
    gaps.push(gap);
    if (minGap !== null && !(gap > minGap)) { bias = new Float64Array(count); gated++; }
    biases.push(bias);
    const b = multiTargetMetrics(topK(withBucketBias(servedScores, buckets, bias), K, skip), ep.future, K);
    if (live) assignWeights(live, model);
    pre.push(a.ndcg); post.push(b.ndcg); hrPre.push(a.hr); hrPost.push(b.hr);
    if ((n + 1) % 50 === 0) process.stderr.write(`eval:year-bias: ${n + 1}/${setup.people.length} people, NDCG@10 ${mean(pre).toFixed(4)} -> ${mean(post).toFixed(4)}\n`);
  }
  if (live) for (const v of live.weights.values()) v.dispose();
  model.dispose();
  const meanBias = Array.from({ length: count }, (_, k) => mean(biases.map((b) => b[k])));
  const out = {
    protocol, mechanism: 'per-person year-bucket bias (experiment)', model: args.model, people: { skipped: Number(args['skip-users'] ?? 0), evaluated: pre.length },
    cuts, l2, minGap, gatedShare: gated / Math.max(1, pre.length), meanGapYears: mean(gaps), validate: args.validate ? { heldOut, minGain } : false, keptShare: args.validate ? kept / Math.max(1, pre.length) : 1, yearEdges: YEAR_EDGES, seconds: Math.round((Date.now() - t0) / 1000),
    ndcg10: { pretrained: mean(pre), withBias: mean(post), liftPct: liftPct(mean(pre), mean(post)), ci95: bootstrapLiftCi(pre, post, 1000, 1) },
    hr10: { pretrained: mean(hrPre), withBias: mean(hrPost), liftPct: liftPct(mean(hrPre), mean(hrPost)), ci95: bootstrapLiftCi(hrPre, hrPost, 1000, 2) },
    usersImprovedShare: pre.filter((v, i) => post[i] > v).length / pre.length,
    usersHurtShare: pre.filter((v, i) => post[i] < v).length / pre.length,
    meanBiasByBucket: meanBias,
    perPerson: { gapYears: gaps, pretrained: pre, withBias: post, ...(args.finetune ? { finetuned: tuned } : {}) },
    ...(args.finetune ? {
      finetuned: {
        policy, replayExemplars: replay.length, keptShare: tunedKept / Math.max(1, tuned.length),
        ndcg10: { finetuned: mean(tuned), liftPct: liftPct(mean(pre), mean(tuned)), ci95: bootstrapLiftCi(pre, tuned, 1000, 1) },
        hr10: { finetuned: mean(hrTuned), liftPct: liftPct(mean(hrPre), mean(hrTuned)), ci95: bootstrapLiftCi(hrPre, hrTuned, 1000, 2) },
        usersHurtShare: pre.filter((v, i) => tuned[i] < v).length / Math.max(1, pre.length),
      },
    } : {}),
  };
  const f = (x: number) => x.toFixed(4);
  process.stdout.write(`${pre.length} people: NDCG@10 ${f(out.ndcg10.pretrained)} -> ${f(out.ndcg10.withBias)}, ${out.ndcg10.liftPct.toFixed(1)}% (95% CI ${out.ndcg10.ci95.map((x) => x.toFixed(1)).join(' … ')}); HR@10 ${out.hr10.liftPct.toFixed(1)}%; improved ${(100 * out.usersImprovedShare).toFixed(1)}%, hurt ${(100 * out.usersHurtShare).toFixed(1)}%\n`);
  if (out.finetuned) process.stdout.write(`fine-tuned (${policy.adapter}) without the bias: NDCG@10 ${f(out.finetuned.ndcg10.finetuned)}, ${out.finetuned.ndcg10.liftPct.toFixed(1)}% (95% CI ${out.finetuned.ndcg10.ci95.map((x) => x.toFixed(1)).join(' … ')}), hurt ${(100 * out.finetuned.usersHurtShare).toFixed(1)}%; the line above is fine-tuned + bias\n`);
  process.stdout.write(`edges ${YEAR_EDGES.join(',')}; mean gap ${mean(gaps).toFixed(2)} years; gated off ${gated}\n`);
  process.stdout.write(`mean bias by bucket (<1980, 80s, 90-93, 94, 95, 96, 97, 98+): ${meanBias.map((x) => x.toFixed(2)).join(', ')}\n`);
  if (args.json) writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
}

main().catch((e: unknown) => fail((e as Error).message));
