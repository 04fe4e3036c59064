/**
 * Cold-start evaluation (docs/COLD_START.md).
 *
 *   npm run eval:coldstart -- --model <dir> --data <file or dir> --json <out.json> [--md <out.md>] [--users N]
 *
 * (a) user cold start: the model sees only a user's first k = 1, 3, 5, 10 items and ranks the next
 *     one among all items, against most-popular. Uses the users the model was pretrained without
 *     (`pretrain --holdout-users`); a model without held-out users is evaluated on all users and the
 *     JSON says so (`user.seenInPretraining: true`).
 * (b) item cold start: for a model pretrained with `--holdout-items`, those items' ID rows are
 *     reset (they never got training signal) so they are scored from genres/decade alone, and a
 *     held-out target is ranked among all items, against most-popular and random. "model" is the
 *     app's feed: held-out items are the new items and fill the new-item slots (NEW_ITEM_SLOTS),
 *     ranked among themselves; "modelGlobal" is one global ranking. The slots' cost is reported
 *     on ordinary targets of the same users (with and without slots), for a few slot layouts.
 * The hold-out settings are read from training.json or run.json in the model folder or its parent.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { removeItems, splitItems } from '../src/engine/data/itemSplit';
import { selectUsers, splitUsers } from '../src/engine/data/userSplit';
import { LocalRecError } from '../src/engine/errors';
import { mostPopularScorer } from '../src/engine/eval/baselines';
import { COLD_START_KS, coldStartMetrics, itemColdCases, itemWarmCases, randomScorer, slotFeedRanks, userColdCases, type ColdStartMetrics } from '../src/engine/eval/coldStart';
import { rankCases } from '../src/engine/eval/protocol';
import type { EvalCase } from '../src/engine/eval/rankTargets';
import { sasRecScorer } from '../src/engine/eval/sasRecScorer';
import { itemUserCounts, type Scorer } from '../src/engine/eval/scorer';
import { resetIdRows, type ColdIdInit } from '../src/engine/model/coldItems';
import { scoreAligned } from '../src/engine/model/shortHistory';
import { blendShortHistory, popularityPrior, SHORT_HISTORY_UNTIL } from '../src/engine/rank/shortHistoryPrior';
import { NEW_ITEM_SLOTS, type NewItemSlots } from '../src/engine/rank/newItemSlots';
import { loadDataset } from './lib/loadDataset';
import { loadModelFiles } from './lib/modelFiles';
import { failWith, parseCli } from './lib/cli';

const USAGE = 'usage: npm run eval:coldstart -- --model <dir> --data <file or dir> [--json <out.json>] [--md <out.md>] [--users N] [--seed N]';

const { values: args } = parseCli('eval:coldstart', USAGE, {
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    catalog: { type: 'string' },
    json: { type: 'string' },
    md: { type: 'string' },
    users: { type: 'string' },
    seed: { type: 'string', default: '42' },
    align: { type: 'string' },
    'prior-weights': { type: 'string', default: '0.5,1,2' },
  },
});

const fail: (message: string) => never = failWith('eval:coldstart');

/** Other slot layouts reported next to the default, to show the trade-off. */
const SLOT_ALTERNATIVES: readonly Readonly<NewItemSlots>[] = [
  { period: 10, positions: [9] },
  { period: 10, positions: [2, 7] },
  { period: 10, positions: [1, 4, 7] },
];

interface HoldoutInfo {
  holdout: { share: number; seed: number } | null;
  holdoutItems: { share: number; seed: number; items?: number[] } | null;
  source: string | null;
}

/** The hold-out settings the model was pretrained with (training.json, else run.json, here or one folder up). */
function readHoldout(modelDir: string): HoldoutInfo {
  for (const dir of [modelDir, dirname(modelDir)]) {
    for (const name of ['training.json', 'run.json']) {
      const f = join(dir, name);
      if (!existsSync(f)) continue;
      const j = JSON.parse(readFileSync(f, 'utf8')) as Partial<HoldoutInfo>;
      return { holdout: j.holdout ?? null, holdoutItems: j.holdoutItems ?? null, source: f };
    }
  }
  return { holdout: null, holdoutItems: null, source: null };
}

async function evaluate(scorer: Scorer, cases: EvalCase[], numItems: number): Promise<ColdStartMetrics> {
  const { ranks } = await rankCases(scorer, cases, { numItems, topK: 0 });
  return coldStartMetrics(ranks);
}

function fmt(m: ColdStartMetrics): string {
  return `${m['NDCG@10'].toFixed(4)} | ${m['HR@10'].toFixed(4)}`;
}

async function main(): Promise<void> {
  if (!args.data || !args.model) fail(USAGE);
  const seed = Number(args.seed);
  const maxUsers = args.users ? Number(args.users) : Infinity;
  if (!(maxUsers > 0)) fail(`--users must be a positive integer, got "${args.users}"`);
  const { dataset } = loadDataset(args.data, { catalog: args.catalog });
  const info = readHoldout(args.model);
  await tf.setBackend('wasm');
  await tf.ready();
  const model = loadModelFiles(args.model).model;
  const { numItems } = dataset;
  if (model.config.numItems !== numItems) {
    model.dispose();
    fail(`the model in ${args.model} knows ${model.config.numItems} items but ${args.data} has ${numItems}; evaluate it on the data it was trained on`);
  }
  const heldOutItems = info.holdoutItems ? (info.holdoutItems.items?.length ? info.holdoutItems.items : splitItems(numItems, info.holdoutItems.share, info.holdoutItems.seed)) : [];
  const users = info.holdout ? splitUsers(dataset.sequences.length, info.holdout.share, info.holdout.seed) : null;
  // What pretraining saw: training users, held-out items removed (popularity comes from it too).
  const pretrainData = removeItems(users ? selectUsers(dataset, users.trainUsers) : dataset, heldOutItems);
  const pretrainSeqs = pretrainData.sequences.map((s) => s.subarray(0, Math.max(0, s.length - 2))); // leave-one-out training part
  const lines: string[] = [];

  // (a) user cold start
  const coldUsers = users ? removeItems(selectUsers(dataset, users.heldOutUsers), heldOutItems).sequences : pretrainData.sequences;
  const userSeqs = coldUsers.slice(0, Number.isFinite(maxUsers) ? maxUsers : undefined);
  const user: Record<string, unknown> = {};
  lines.push(`User cold start (${users ? `${userSeqs.length} users held out of pretraining` : `${userSeqs.length} users, SEEN in pretraining`}):`, '',
    '| k | model NDCG@10 | model HR@10 | model, right-aligned NDCG@10 | HR@10 | popular NDCG@10 | popular HR@10 | users |', '|---|---|---|---|---|---|---|---|');
  const scorer = sasRecScorer(model);
  const popular = mostPopularScorer(pretrainSeqs, numItems);
  const lengths = pretrainSeqs.map((s) => Math.min(s.length - 1, model.config.maxLen)).filter((n) => n > 0).sort((a, b) => a - b);
  const typical = args.align ? Number(args.align) : lengths[Math.floor(lengths.length / 2)] ?? model.config.maxLen;
  const table = model.itemTable();
  const aligned: Scorer = {
    name: 'sasrec-aligned',
    async score(histories) {
      const t = scoreAligned(model, histories, typical, table);
      try { return (await t.data()) as Float32Array; } finally { t.dispose(); }
    },
  };
  // The short-history popularity prior (src/engine/rank/shortHistoryPrior.ts) at several strengths.
  const priorWeights = (args['prior-weights'] ?? '').split(',').filter(Boolean).map(Number);
  if (priorWeights.some((w) => !(w >= 0))) fail(`--prior-weights must be numbers >= 0, comma separated (got "${args['prior-weights']}")`);
  const prior = popularityPrior(itemUserCounts(pretrainSeqs, numItems));
  const withPrior = (weight: number): Scorer => ({
    name: `sasrec-aligned+prior${weight}`,
    async score(histories) {
      const all = await aligned.score(histories);
      const out = new Float32Array(all.length);
      const w = numItems + 1;
      histories.forEach((h, r) => {
        out.set(blendShortHistory(Float32Array.from(all.subarray(r * w, (r + 1) * w)), h.length, prior, { weight, until: SHORT_HISTORY_UNTIL }), r * w);
      });
      return out;
    },
  });
  const priorLines: string[] = [];
  for (const k of COLD_START_KS) {
    const cases = userColdCases(userSeqs, k);
    const m = await evaluate(scorer, cases, numItems);
    const a = await evaluate(aligned, cases, numItems);
    const p = await evaluate(popular, cases, numItems);
    const modelPrior: Record<string, unknown> = {};
    for (const w of priorWeights) modelPrior[`w${w}`] = await evaluate(withPrior(w), cases, numItems);
    user[`k${k}`] = { model: a, modelRightAligned: m, popular: p, modelPrior, users: cases.length };
    lines.push(`| ${k} | ${fmt(a)} | ${fmt(m)} | ${fmt(p)} | ${cases.length} |`);
    priorLines.push(`| ${k} | ${priorWeights.map((w) => fmt(modelPrior[`w${w}`] as ColdStartMetrics)).join(' | ')} |`);
    process.stderr.write(`user cold start k=${k}: ${cases.length} users\n`);
  }
  if (priorWeights.length) {
    lines.push('', `Model + short-history popularity prior (fades out at ${SHORT_HISTORY_UNTIL} items), NDCG@10 | HR@10 per strength:`, '',
      `| k | ${priorWeights.map((w) => `w ${w} NDCG@10 | HR@10`).join(' | ')} |`, `|---|${priorWeights.map(() => '---|---').join('|')}|`, ...priorLines);
  }
  user.seenInPretraining = !users;
  user.typicalLength = typical;
  scorer.dispose?.();
  table.dispose();

  // (b) item cold start
  let item: Record<string, unknown> | null = null;
  if (heldOutItems.length) {
    const cases = itemColdCases(dataset.sequences, new Set(heldOutItems)).slice(0, Number.isFinite(maxUsers) ? maxUsers : undefined);
    item = { heldOutItems: heldOutItems.length, cases: cases.length };
    lines.push('', `Item cold start (${heldOutItems.length} items held out of pretraining, ${cases.length} cases):`, '',
      '| ranker | NDCG@10 | HR@10 |', '|---|---|---|');
    const counts = itemUserCounts(pretrainSeqs, numItems);
    const held = new Set(heldOutItems);
    // The app's behaviour: held-out items are the new items (no training signal), ranked among
    // themselves by their content score into the feed's slots. Their ID part does not matter
    // there (a shared ID vector adds the same amount to every new item's score), so it is 0.
    const slotSettings: Readonly<NewItemSlots>[] = [NEW_ITEM_SLOTS, ...SLOT_ALTERNATIVES];
    const warmCases = itemWarmCases(dataset.sequences, held).slice(0, Number.isFinite(maxUsers) ? maxUsers : undefined);
    const coldModel = loadModelFiles(args.model).model;
    resetIdRows(coldModel, heldOutItems, 'zero');
    const coldScorer = sasRecScorer(coldModel);
    const coldSlots = await slotFeedRanks(coldScorer, cases, numItems, held, slotSettings);
    const warmSlots = await slotFeedRanks(coldScorer, warmCases, numItems, held, slotSettings);
    const warmGlobal = await evaluate(coldScorer, warmCases, numItems);
    coldScorer.dispose?.();
    coldModel.dispose();
    const randomSlots = (await slotFeedRanks(randomScorer(numItems, seed + 2), cases, numItems, held, [NEW_ITEM_SLOTS]))[0];
    const settingRows = slotSettings.map((slots, k) => ({
      period: slots.period, positions: [...slots.positions], default: k === 0,
      cold: coldStartMetrics(coldSlots[k]), warm: coldStartMetrics(warmSlots[k]),
    }));
    item.model = settingRows[0].cold;
    lines.push(`| **model + new-item slots** (positions ${NEW_ITEM_SLOTS.positions.join(', ')} of every ${NEW_ITEM_SLOTS.period}; the app's feed) | ${fmt(settingRows[0].cold)} |`);
    const variants: { key: string; init: ColdIdInit; weights?: ArrayLike<number>; label: string }[] = [
      { key: 'modelGlobal', init: 'zero', label: 'ID part = 0' },
      { key: 'modelMeanId', init: 'mean', label: 'ID part = mean ID embedding' },
      { key: 'modelPopularMeanId', init: 'mean', weights: counts, label: 'ID part = popularity-weighted mean ID embedding' },
    ];
    for (const v of variants) {
      const copy = loadModelFiles(args.model).model;
      resetIdRows(copy, heldOutItems, v.init, v.weights);
      const s = sasRecScorer(copy);
      const m = await evaluate(s, cases, numItems);
      s.dispose?.();
      copy.dispose();
      item[v.key] = m;
      lines.push(`| model, one global ranking (content vector, ${v.label}) | ${fmt(m)} |`);
    }
    item.popular = await evaluate(popular, cases, numItems);
    item.random = await evaluate(randomScorer(numItems, seed), cases, numItems);
    item.randomSlots = coldStartMetrics(randomSlots);
    lines.push(`| most-popular | ${fmt(item.popular as ColdStartMetrics)} |`, `| random | ${fmt(item.random as ColdStartMetrics)} |`,
      `| random + new-item slots (new items in random order) | ${fmt(item.randomSlots as ColdStartMetrics)} |`);
    item.slots = { settings: settingRows, warmCases: warmCases.length, warmWithoutSlots: warmGlobal };
    lines.push('', `New-item slots: held-out targets (${cases.length} cases) and ordinary targets of the same users (${warmCases.length} cases, newest known item), ranked among all items:`, '',
      '| slots (0-based positions / period) | new targets NDCG@10 | HR@10 | ordinary targets NDCG@10 | HR@10 |', '|---|---|---|---|---|',
      `| none (one global ranking, ID part = 0) | ${fmt(item.modelGlobal as ColdStartMetrics)} | ${fmt(warmGlobal)} |`,
      ...settingRows.map((r) => `| ${r.positions.join(', ')} / ${r.period}${r.default ? ' (default)' : ''} | ${fmt(r.cold)} | ${fmt(r.warm)} |`));
    // Diagnostic: the same cases ranked among the held-out items only (is the content vector informative?).
    const warm = Array.from({ length: numItems }, (_, i) => i + 1).filter((i) => !held.has(i));
    const amongCases = cases.map((c) => ({ ...c, exclude: Int32Array.from([...Array.from(c.exclude), ...warm]) }));
    const copy = loadModelFiles(args.model).model;
    resetIdRows(copy, heldOutItems, 'zero');
    const s = sasRecScorer(copy);
    const among = { model: await evaluate(s, amongCases, numItems), random: await evaluate(randomScorer(numItems, seed + 1), amongCases, numItems) };
    s.dispose?.();
    copy.dispose();
    item.amongHeldOut = among;
    lines.push('', `Diagnostic, the same cases ranked among the ${heldOutItems.length} held-out items only:`, '', '| ranker | NDCG@10 | HR@10 |', '|---|---|---|',
      `| model (content only) | ${fmt(among.model)} |`, `| random | ${fmt(among.random)} |`);
  } else {
    lines.push('', 'Item cold start: skipped (the model was not pretrained with --holdout-items).');
  }
  model.dispose();
  const report = { dataset: args.data, model: args.model, holdoutFrom: info.source, user, item };
  const md = `${lines.join('\n')}\n`;
  process.stdout.write(md);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  if (args.md) writeFileSync(args.md, md);
}

main().catch((e: unknown) => {
  if (e instanceof LocalRecError) fail(e.message);
  throw e;
});
