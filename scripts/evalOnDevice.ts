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
 *
 * --protocol shift: the ML-1M model serves ML-100K people (catalogs joined by title and year):
 *   npm run eval:ondevice -- --protocol shift --data ../shared/datasets/ml-100k --model public/models/ml-1m-sasrec \
 *     --users 100 --reference-model runs/shift-reference --reference-minutes 5
 * --protocol long: held-out people whose history exceeds the window, trained in --windows windows.
 * --mechanism whole|lastBlock|lora|bias|userEmbedding picks what fine-tuning changes.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRecError } from '../src/engine/errors';
import { evaluateOnDevice } from '../src/engine/eval/onDeviceEval';
import { selectUsers } from '../src/engine/data/userSplit';
import { MECHANISMS, mechanismOf, mechanismPolicy, resolvePolicy, type FinetunePolicy, type Mechanism } from '../src/engine/train/finetunePolicy';
import { Rng } from '../src/engine/train/rng';
import { loadModelFiles } from './lib/modelFiles';
import { markdownTable } from './lib/onDeviceReport';
import { PROTOCOLS, setupProtocol, type Protocol } from './lib/onDeviceProtocols';
import { readReplayFile } from './lib/replayFile';
import { scoreOwnReference, shiftReference } from './lib/shiftReference';
import { failWith, intOption, parseCli } from './lib/cli';

const USAGE = 'usage: npm run eval:ondevice -- --data <dir> --model <pretrained dir> [--protocol standard|shift|long] [--mechanism ' + MECHANISMS.join('|') + '] ' +
  '[--json <out.json>] [--md <out.md>] [--holdout-users 0.2] [--holdout-seed 7] [--users N] [--skip-users N] [--reference 200] [--probes 20] [--chunk-users 10] ' +
  '[--replay model|none|N] [--policy <json>] [--only future,dislikes,continual] [--windows N (long)] [--reference-model <dir> [--reference-minutes M] (shift)] [--own-reference <model trained on the other people in their own item ids> (shift)]';

const { values: args } = parseCli('eval:ondevice', USAGE, {
  options: {
    data: { type: 'string' },
    model: { type: 'string' },
    json: { type: 'string' },
    md: { type: 'string' },
    protocol: { type: 'string', default: 'standard' },
    mechanism: { type: 'string' },
    windows: { type: 'string' },
    'reference-model': { type: 'string' },
    'reference-minutes': { type: 'string' },
    'own-reference': { type: 'string' },
    'holdout-users': { type: 'string', default: '0.2' },
    'holdout-seed': { type: 'string', default: '7' },
    users: { type: 'string' },
    'skip-users': { type: 'string' },
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

/** `maxSequence` that keeps every stored item (MovieLens histories are at most a few thousand). */
const WHOLE_HISTORY = 100_000;

const count = (name: string, raw: string): number => intOption(fail, name, raw, 0);
const warn = (m: string) => process.stderr.write(`eval:ondevice: warning: ${m}\n`);

async function main(): Promise<void> {
  if (!args.data || !args.model) fail(USAGE);
  const protocol = args.protocol as Protocol;
  if (!PROTOCOLS.includes(protocol)) fail(`--protocol must be one of ${PROTOCOLS.join(', ')} (got "${args.protocol}")`);
  if (args.mechanism !== undefined && !MECHANISMS.includes(args.mechanism as Mechanism)) fail(`--mechanism must be one of ${MECHANISMS.join(', ')} (got "${args.mechanism}")`);
  let overrides: Partial<FinetunePolicy> = {};
  if (args.policy) {
    try {
      overrides = JSON.parse(existsSync(args.policy) ? readFileSync(args.policy, 'utf8') : args.policy);
    } catch (e) {
      fail(`--policy must be JSON or a JSON file: ${(e as Error).message}`);
    }
  }
  await tf.setBackend('wasm');
  await tf.ready();
  const { model } = loadModelFiles(args.model);
  // --windows N: learn from the whole history, N windows of maxLen items per step (protocol long).
  const windows = args.windows !== undefined ? count('windows', args.windows) : undefined;
  if (windows === 0) fail('--windows must be at least 1');
  const policy = resolvePolicy({
    ...(args.mechanism ? mechanismPolicy(args.mechanism as Mechanism) : {}),
    ...(windows ? { maxWindows: windows, maxSequence: WHOLE_HISTORY } : {}),
    ...overrides,
  });
  const seed = Number(args.seed);
  const setup = setupProtocol(protocol, {
    data: args.data, modelDir: args.model, model, holdoutShare: Number(args['holdout-users']), holdoutSeed: Number(args['holdout-seed']),
    users: args.users !== undefined ? count('users', args.users) : undefined,
    skipUsers: args['skip-users'] !== undefined ? count('skip-users', args['skip-users']) : undefined, reference: count('reference', args.reference ?? '200'), seed, futureCount: 3,
  }, warn);
  if (setup.people.length === 0) fail(`no people to evaluate: the ${protocol} protocol has fewer people than --skip-users ${args['skip-users'] ?? 0} skips; lower --skip-users`);
  const { dataset } = setup;
  // Replay exemplars, as the app uses them: the model folder's replay.json ("model", the default;
  // none when the folder has no replay.json), "none", or N real training users' newest 50 items.
  const replayArg = args.replay ?? 'model';
  const replay: number[][] = replayArg === 'none'
    ? []
    : replayArg === 'model'
      ? readReplayFile(args.model, model.config.numItems)
      : new Rng(seed + 1).shuffle(setup.trainPeople.slice()).slice(0, count('replay', replayArg)).map((u) => Array.from(dataset.sequences[u].slice(-50)));
  const replaySource = replayArg === 'model' ? (replay.length ? 'model replay.json' : 'none (no replay.json)') : replayArg === 'none' ? 'none' : `${replay.length} training users`;
  const only = args.only?.split(',').map((x) => x.trim()).filter(Boolean);
  for (const p of only ?? []) if (!['future', 'dislikes', 'continual'].includes(p)) fail(`--only takes future, dislikes and/or continual, comma separated (got "${p}")`);
  const parts = only ? { future: only.includes('future'), dislikes: only.includes('dislikes'), continual: only.includes('continual') } : undefined;
  const say = (m: string) => process.stderr.write(`${m}\n`);
  // Check the reference folder before the long part, so a run is not lost at its end.
  const refDir = protocol === 'shift' ? args['reference-model'] : undefined;
  if (refDir && !existsSync(join(refDir, 'model.json')) && args['reference-minutes'] === undefined) {
    fail(`${refDir} holds no model. Add --reference-minutes M to pretrain the reference there.`);
  }
  const t0 = Date.now();
  const report = await evaluateOnDevice(model, dataset, setup.people, {
    policy, futureCount: 3, referenceCases: setup.referenceCases, referenceProbes: count('probes', args.probes ?? '20'),
    chunkSize: 10, minChunks: 20, maxChunks: 25, chunkUsers: count('chunk-users', args['chunk-users'] ?? '10'),
    replay, bootstrapIterations: 1000, seed, parts, prior: setup.prior, excluded: setup.excluded, years: setup.years, lengthEdges: setup.lengthEdges,
    onProgress: say,
  });
  // Shift: the upper reference, a model pretrained on the other people of the new population.
  // A failing reference (it is trained last) must not lose the evaluation: warn and report without it.
  const upper = protocol === 'shift' && args['reference-model']
    ? await shiftReference({
      dir: args['reference-model'], minutes: args['reference-minutes'] !== undefined ? Number(args['reference-minutes']) : undefined,
      train: selectUsers(dataset, setup.trainPeople), modelCatalog: setup.modelCatalog ?? [], dataset, people: setup.people,
      excluded: setup.excluded, prior: setup.prior, policy, seed, say,
    }).catch((e: unknown) => {
      if (!(e instanceof LocalRecError)) throw e;
      warn(`no upper reference: ${e.message}`);
      return null;
    })
    : null;
  // Shift: a model pretrained on the other people in their own catalog's ids, same split.
  const own = protocol === 'shift' && args['own-reference'] && setup.ownIds
    ? await scoreOwnReference({
      dir: args['own-reference'], dataset: setup.ownIds.dataset, people: setup.people, excluded: setup.ownIds.excluded, prior: setup.ownIds.prior,
      policy, seed, holdout: { share: Number(args['holdout-users']), seed: Number(args['holdout-seed']) },
    })
    : null;
  model.dispose();
  const name = args.data.split('/').filter(Boolean).pop() ?? args.data;
  const out = {
    dataset: name, protocol, mechanism: mechanismOf(policy), model: args.model, people: { skipped: Number(args['skip-users'] ?? 0), evaluated: setup.people.length }, policy, replayExemplars: replay.length, replaySource,
    seconds: Math.round((Date.now() - t0) / 1000), ...(setup.join ? { join: setup.join } : {}), ...(upper ? { upperReference: upper } : {}), ...(own ? { ownCatalogReference: own } : {}), ...report,
  };
  const md = markdownTable(report, `${name}, protocol ${protocol}, mechanism ${mechanismOf(policy)}`, policy);
  process.stdout.write(md);
  if (setup.join) process.stdout.write(`Join: ${JSON.stringify(setup.join)}\n`);
  if (upper) process.stdout.write(`Upper reference (pretrained on ${upper.trainPeople} other people, ${upper.trainMinutes} min): NDCG@10 ${upper.ndcg10.toFixed(4)}, HR@10 ${upper.hr10.toFixed(4)}\n`);
  if (own) process.stdout.write(`Reference pretrained on the other people in their own catalog (${own.dir}): NDCG@10 ${own.ndcg10.toFixed(4)}, HR@10 ${own.hr10.toFixed(4)}\n`);
  if (args.json) writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
  if (args.md) writeFileSync(args.md, md);
}

main().catch((e: unknown) => {
  if (e instanceof LocalRecError) fail(e.message);
  throw e;
});
