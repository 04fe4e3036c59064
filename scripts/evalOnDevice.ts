/**
 * Measures on-device personalization with the app's own fine-tuning function and policy.
 *
 *   npm run pretrain -- --data ../shared/datasets/ml-100k --out runs/ml-100k-heldout-model \
 *     --checkpoint-dir runs/ml-100k-heldout --config configs/ml-100k-sasrec.json --holdout-users 0.2
 *   npm run eval:ondevice -- --data ../shared/datasets/ml-100k --model runs/ml-100k-heldout/best --json out.json
 *
 * Held-out people (the same seeded split as pretraining) are replayed one by one: the last 3
 * interactions are the future, the rest is what the app would have stored (ratings >= 4 likes,
 * <= 2 dislikes, else views). See docs/ON_DEVICE.md.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalRecError } from '../src/engine/errors';
import { evaluateOnDevice } from '../src/engine/eval/onDeviceEval';
import { splitUsers } from '../src/engine/data/userSplit';
import type { EvalCase } from '../src/engine/eval/rankTargets';
import { resolvePolicy, type FinetunePolicy } from '../src/engine/train/finetunePolicy';
import { validateReplay } from '../src/engine/train/replay';
import { popularityPrior } from '../src/engine/rank/shortHistoryPrior';
import { itemUserCounts } from '../src/engine/eval/scorer';
import { Rng } from '../src/engine/train/rng';
import { loadDataset } from './lib/loadDataset';
import { loadModelFiles } from './lib/modelFiles';
import { markdownTable } from './lib/onDeviceReport';
import { failWith, intOption, parseCli } from './lib/cli';

const USAGE = 'usage: npm run eval:ondevice -- --data <dir> --model <pretrained dir> [--json <out.json>] [--md <out.md>] ' +
  '[--holdout-users 0.2] [--holdout-seed 7] [--users N] [--reference 200] [--probes 20] [--chunk-users 10] [--replay model|none|N] [--policy <json>] [--only future,dislikes,continual]';

const { values: args } = parseCli('eval:ondevice', USAGE, {
  options: {
    data: { type: 'string' },
    model: { type: 'string' },
    json: { type: 'string' },
    md: { type: 'string' },
    'holdout-users': { type: 'string', default: '0.2' },
    'holdout-seed': { type: 'string', default: '7' },
    users: { type: 'string' },
    reference: { type: 'string', default: '200' },
    probes: { type: 'string', default: '20' },
    'chunk-users': { type: 'string', default: '10' },
    replay: { type: 'string', default: 'model' },
    policy: { type: 'string' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
  },
});

const fail: (message: string) => never = failWith('eval:ondevice');

const count = (name: string, raw: string): number => intOption(fail, name, raw, 0);

/** The pretraining run records which people it held out; refuse a model that saw them. */
function checkHoldout(modelDir: string, share: number, seed: number): void {
  for (const f of [join(modelDir, 'training.json'), join(dirname(modelDir), 'run.json')]) {
    if (!existsSync(f)) continue;
    const h = (JSON.parse(readFileSync(f, 'utf8')) as { holdout?: { share: number; seed: number } | null }).holdout;
    if (!h) fail(`${f}: this model was pretrained on every user, so held-out people are not new to it. Pretrain with --holdout-users ${share}.`);
    if (h.share !== share || h.seed !== seed) fail(`${f}: the model held out share ${h.share} seed ${h.seed}, but this run asks for ${share} seed ${seed}. Pass the same --holdout-users/--holdout-seed.`);
    return;
  }
  process.stderr.write(`eval:ondevice: warning: no training.json or run.json next to ${modelDir}; cannot check that the held-out users were held out\n`);
}

async function main(): Promise<void> {
  if (!args.data || !args.model) fail(USAGE);
  const share = Number(args['holdout-users']);
  const holdSeed = Number(args['holdout-seed']);
  checkHoldout(args.model, share, holdSeed);
  let overrides: Partial<FinetunePolicy> = {};
  if (args.policy) {
    try {
      overrides = JSON.parse(existsSync(args.policy) ? readFileSync(args.policy, 'utf8') : args.policy);
    } catch (e) {
      fail(`--policy must be JSON or a JSON file: ${(e as Error).message}`);
    }
  }
  const policy = resolvePolicy(overrides);
  await tf.setBackend('wasm');
  await tf.ready();
  const { dataset } = loadDataset(args.data);
  if (!dataset.ratings) process.stderr.write('eval:ondevice: warning: the data has no ratings; every interaction counts as a view and there are no dislikes\n');
  const { model } = loadModelFiles(args.model);
  if (model.config.numItems !== dataset.numItems) fail(`the model has ${model.config.numItems} items but the data has ${dataset.numItems}: wrong --data?`);
  const split = splitUsers(dataset.sequences.length, share, holdSeed);
  const seed = Number(args.seed);
  const rng = new Rng(seed);
  const heldOut = args.users ? split.heldOutUsers.slice(0, count('users', args.users)) : split.heldOutUsers;
  // Reference set: other people's next item (their last), from users the model was trained on.
  const refUsers = rng.shuffle(split.trainUsers.filter((u) => dataset.sequences[u].length >= 3)).slice(0, count('reference', args.reference ?? '200'));
  const referenceCases: EvalCase[] = refUsers.map((u) => {
    const s = dataset.sequences[u];
    return { history: s.subarray(0, s.length - 1), target: s[s.length - 1], exclude: s.subarray(0, s.length - 1) };
  });
  // Replay exemplars, as the app uses them: the model folder's replay.json ("model", the default;
  // none when the folder has no replay.json), "none", or N real training users' newest 50 items.
  const replayArg = args.replay ?? 'model';
  const replayFile = join(args.model, 'replay.json');
  const replay: number[][] = replayArg === 'none'
    ? []
    : replayArg === 'model'
      ? (existsSync(replayFile) ? validateReplay(JSON.parse(readFileSync(replayFile, 'utf8')), model.config.numItems, replayFile) : [])
      : rng.shuffle(split.trainUsers.slice()).slice(0, count('replay', replayArg)).map((u) => Array.from(dataset.sequences[u].slice(-50)));
  const replaySource = replayArg === 'model' ? (replay.length ? 'model replay.json' : 'none (no replay.json)') : replayArg === 'none' ? 'none' : `${replay.length} training users`;
  const only = args.only?.split(',').map((x) => x.trim()).filter(Boolean);
  for (const p of only ?? []) if (!['future', 'dislikes', 'continual'].includes(p)) fail(`--only takes future, dislikes and/or continual, comma separated (got "${p}")`);
  const parts = only ? { future: only.includes('future'), dislikes: only.includes('dislikes'), continual: only.includes('continual') } : undefined;
  // The feed's short-history popularity prior, from the training people's item counts.
  const prior = popularityPrior(itemUserCounts(split.trainUsers.map((u) => dataset.sequences[u]), dataset.numItems));
  const t0 = Date.now();
  const report = await evaluateOnDevice(model, dataset, heldOut, {
    policy, futureCount: 3, referenceCases, referenceProbes: count('probes', args.probes ?? '20'),
    chunkSize: 10, minChunks: 20, maxChunks: 25, chunkUsers: count('chunk-users', args['chunk-users'] ?? '10'),
    replay, bootstrapIterations: 1000, seed, parts, prior,
    onProgress: (m) => process.stderr.write(`${m}\n`),
  });
  model.dispose();
  const name = args.data.split('/').filter(Boolean).pop() ?? args.data;
  const out = { dataset: name, policy, replayExemplars: replay.length, replaySource, seconds: Math.round((Date.now() - t0) / 1000), ...report };
  const md = markdownTable(report, name, policy);
  process.stdout.write(md);
  if (args.json) writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
  if (args.md) writeFileSync(args.md, md);
}

main().catch((e: unknown) => {
  if (e instanceof LocalRecError) fail(e.message);
  throw e;
});
