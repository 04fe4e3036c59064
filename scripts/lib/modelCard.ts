/**
 * MODEL_CARD.md of a model folder, from its metrics.json, training.json, config.json and
 * replay.json, plus optional eval and on-device reports. Used by `npm run model-card` and by the
 * folder exporter (scripts/lib/exportFolder.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ModelCardOptions {
  /** An eval JSON written by `npm run eval -- --json` (baselines, beyond-accuracy metrics). */
  eval?: string;
  /** The training machine, in words. */
  machine?: string;
  /** Comma-separated eval:ondevice JSON reports. */
  ondevice?: string;
  /** Which model the on-device reports measured, when not this recipe. */
  ondeviceModel?: string;
}

const MOVIELENS_DATA = `- Trained on MovieLens-1M in the SASRec preprocessing (\`ml-1m_sas.txt\`: 6,040 users, 3,416 items
  with at least 5 ratings, 999,611 interactions, each user's items in time order).
- Titles, years and genres in \`catalog.json\` come from MovieLens-1M \`movies.dat\` (Latin-1), joined
  through the SASRec-to-MovieLens item id map.
- MovieLens data © GroupLens Research, University of Minnesota. F. Maxwell Harper and Joseph A. Konstan.
  2015. The MovieLens Datasets: History and Context. ACM TiiS 5, 4, Article 19. No endorsement by the
  University of Minnesota or GroupLens is stated or implied. The raw ratings are not redistributed here:
  this folder holds derived model weights and the item catalog only. Research use; commercial use of
  the data needs GroupLens' permission.`;

const MOVIELENS_LIMITS = `- Trained on movie ratings from 2000–2003 by 6,040 people; tastes, catalog and demographics are dated and skewed.
- MovieLens interactions are ratings, not watches; the order of ratings only approximates viewing order.
- Items outside the catalog have no ID embedding; they are scored from their genres and decade only.
- The published rows were trained with other code; differences in initialisation and early stopping matter at this scale.`;

const OTHER_LIMITS = `- The model knows only the items and behaviour in its training data; new items are scored from their tags and title words only (when the catalog has them).
- The published rows are for MovieLens-1M and are not comparable with this data; compare with the baselines measured here.`;

/** The card's Markdown for the model folder `dir`. */
export function renderModelCard(dir: string, o: ModelCardOptions = {}): string {
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const metrics = read(join(dir, 'metrics.json'));
const training = existsSync(join(dir, 'training.json')) ? read(join(dir, 'training.json')) : null;
const evalJson = o.eval && existsSync(o.eval) ? read(o.eval) : null;
const config = read(join(dir, 'config.json'));
/** Set by `npm run pretrain:torch` (e.g. "pytorch 1.13 (2 processes, cpu, DDP)"); absent for the Node trainer. */
const torchTrainer = typeof training?.trainer === 'string' ? training.trainer as string : null;
const trainerCommand = torchTrainer ? 'npm run pretrain:torch' : 'npm run pretrain';
const movieLens = /ml-1m/i.test(String(metrics.dataset ?? '')) || /ml-1m/i.test(String(training?.data ?? ''));
const otherData = `- Trained on \`${metrics.dataset}\` (${config.numItems} items; ${metrics.users} people in the test split), with \`${trainerCommand}\`${training?.preset ? ` (preset ${training.preset})` : ''}.
- The data's own licence applies to this derived model; the folder holds model weights and the item catalog, no interactions.`;
const f = (x: number | undefined | null, d = 4) => (typeof x === 'number' ? x.toFixed(d) : '–');

type Row = [string, number | undefined, number | undefined, string];
const rows: Row[] = [
  ['**LocalRec SASRec (this model, ' + metrics.shippedPrecision + ')**', metrics.metrics['HR@10'], metrics.metrics['NDCG@10'], 'measured here'],
  ['SASRec, full cross-entropy (Klenitskiy & Vasilev, RecSys 2023)', 0.3152, 0.1821, 'published'],
  ['SASRec, 3000 sampled negatives (same paper)', 0.3159, 0.1857, 'published'],
  ['gSASRec (Petrov & Macdonald, RecSys 2023)', 0.3003, 0.1726, 'published'],
  ['BERT4Rec (as reported by Klenitskiy & Vasilev)', 0.2843, 0.1537, 'published'],
];
if (!movieLens) rows.splice(1, rows.length - 1); // the published rows are ML-1M figures
const baselineNames: [string, string][] = [['most-popular', 'Most popular'], ['item-to-item', 'Item-to-item transitions'], ['item-knn', 'Item kNN (co-occurrence cosine)']];
for (const [key, label] of baselineNames) {
  const m = evalJson?.models?.[key]?.metrics ?? metrics.baselines?.[key];
  if (m) rows.push([label, m['HR@10'], m['NDCG@10'], 'measured here']);
}

const precisionRows = Object.entries(metrics.byPrecision as Record<string, Record<string, number>>)
  .map(([p, m]) => `| ${p} | ${(m.weightBytes / 1024).toFixed(0)} KiB | ${f(m['HR@10'])} | ${f(m['NDCG@10'])} | ${f(m.MRR)} |`).join('\n');
const full = metrics.metrics;
const replay = existsSync(join(dir, 'replay.json')) ? read(join(dir, 'replay.json')) : null;
// eval:ondevice reports (one row per dataset), written by `npm run eval:ondevice -- --json`.
const ondevice = (o.ondevice ?? '').split(',').filter((p) => p && existsSync(p)).map((p) => ({ path: p, r: read(p) }));
const pct = (x: number | undefined) => (typeof x === 'number' ? `${x >= 0 ? '+' : ''}${x.toFixed(1)}%` : '–');
const ondeviceRows = ondevice.map(({ path, r }) =>
  `| ${r.dataset} (${r.evaluatedUsers} held-out people) | ${f(r.ndcg10?.pretrained)} → ${f(r.ndcg10?.finetuned)} | ${pct(r.ndcg10?.liftPct)} (${pct(r.ndcg10?.ci95?.[0])} … ${pct(r.ndcg10?.ci95?.[1])}) | ${(100 * r.usersHurtShare).toFixed(1)}% | ${r.dislikedInTop10?.users ? `${f(r.dislikedInTop10.withoutFeedback, 3)} → ${f(r.dislikedInTop10.withFeedback, 3)}` : 'no ratings'} | ${pct(-r.referenceDropPct)} | \`${path}\` |`).join('\n');
const lr = training?.train;
/** A run that `pretrain --init-from` continued (training.json's continuedFrom): the first phase. */
const earlier = training?.continuedFrom as { dir: string; optimizer: boolean; epochs: number | null; run?: string; train?: typeof lr; history?: { epoch: number; lr: number }[]; trainSeconds?: number | null } | undefined;
/** Epochs before this run's own (this run's epoch e is epoch offset + e overall). */
const offset = earlier?.epochs ?? 0;
type Train = { learningRate: number; warmupSteps: number; plateauEpochs: number; epochs: number; schedule?: string };
const scheduleOf = (t: Train & { timedMinutes?: number; decayShare?: number; decayMinShare?: number } | undefined) => (!t ? '' : t.schedule === 'timed'
  ? `learning rate ${t.learningRate} (after ${t.warmupSteps} warm-up steps) for ${(training?.decayFromSeconds !== undefined ? training.decayFromSeconds / 60 : (t.timedMinutes ?? 0) * (1 - (t.decayMinShare ?? t.decayShare ?? 0))).toFixed(1)} min of wall clock${training?.decayFromSeconds !== undefined ? ' (where validation flattened)' : ''}, then falling linearly to 0 at ${t.timedMinutes} min`
  : t.schedule === 'linear'
  ? `learning rate falling linearly from ${t.learningRate} to 0 over ${t.epochs} epochs${t.warmupSteps > 0 ? ` after ${t.warmupSteps} warm-up steps` : ''}`
  : `learning rate ${t.learningRate} with ${t.warmupSteps} warm-up steps, ${t.plateauEpochs >= t.epochs ? 'then constant' : `halved after ${t.plateauEpochs} epochs without a better validation NDCG@10`}`);
// The learning rate actually used, by epoch range (a resumed run may have changed it by hand).
const lrSegments: string[] = [];
const histories = [...(earlier?.history ?? []).map((h) => ({ ...h, linear: false })), ...((training?.history ?? []) as { epoch: number; lr: number }[]).map((h) => ({ ...h, epoch: h.epoch + offset, linear: lr?.schedule === 'linear' }))];
for (const h of histories) {
  const last = lrSegments.length ? lrSegments[lrSegments.length - 1] : null;
  const key = h.linear ? 'linear decay to 0' : `${h.lr}`;
  if (last && last.startsWith(`${key} (`)) lrSegments[lrSegments.length - 1] = last.replace(/–\d+\)$|\)$/, `–${h.epoch})`);
  else lrSegments.push(`${key} (epochs ${h.epoch})`);
}
const schedule = earlier?.train ? scheduleOf(earlier.train) : scheduleOf(lr);
const phases = earlier
  ? `\n- Two phases: epochs 1–${offset}${earlier.run ? ` (run \`${earlier.run}\`)` : ''} as above; then epochs ${offset + 1}–${offset + (training?.epochs ?? 0)} continued from its checkpoint after epoch ${offset} (\`${earlier.dir}\`: ${earlier.optimizer ? 'weights and Adam state' : 'weights, fresh Adam state'}, \`${trainerCommand} -- --init-from\`) with the ${scheduleOf(lr)}.`
  : '';
/** People and items the run kept out of pretraining (`--holdout-users`, `--holdout-items`; training.json's holdout, holdoutItems). */
const heldOut = [
  training?.holdout ? `${+(100 * training.holdout.share).toFixed(2)}% of the people (\`--holdout-users ${training.holdout.share} --holdout-seed ${training.holdout.seed}\`, the people \`npm run eval:ondevice\` fine-tunes on)` : '',
  training?.holdoutItems ? `${training.holdoutItems.items?.length ?? `${+(100 * training.holdoutItems.share).toFixed(2)}% of the`} items (\`--holdout-items ${training.holdoutItems.share} --holdout-items-seed ${training.holdoutItems.seed}\`)` : '',
].filter(Boolean);
const computeSeconds = (training?.trainSeconds ?? 0) + (earlier?.trainSeconds ?? 0);
const computeUnknown = earlier && (earlier.trainSeconds === null || earlier.trainSeconds === undefined);
const beyond = evalJson?.models?.sasrec?.metrics;
/** "50–68" for consecutive averaged epochs, else the list. */
const averagedList = training?.averagedEpochs as number[] | undefined;
const averaged = averagedList?.length
  ? averagedList.every((e, i) => i === 0 || e === averagedList[i - 1] + 1)
    ? `${averagedList[0] + offset}–${averagedList[averagedList.length - 1] + offset}`
    : averagedList.map((e) => e + offset).join(', ')
  : '';

const card = `# Model card: ${dir.split('/').filter(Boolean).pop()}

A SASRec-family sequential recommender (causal self-attention over a person's item history) in
TensorFlow.js, trained with ${torchTrainer ? `LocalRec's PyTorch trainer (\`npm run pretrain:torch\`, ${torchTrainer})` : "LocalRec's own Node trainer (\`npm run pretrain\`)"}. It powers the default
LocalRec feed and is fine-tuned on the person's device.

## Data and licence
${movieLens ? MOVIELENS_DATA : otherData}

## Architecture
| setting | value |
|---|---|
| items | ${config.numItems} |
| embedding dim | ${config.dim} |
| blocks / heads | ${config.blocks} / ${config.heads} |
| feed-forward width | ${config.ffnDim} |
| max history length | ${config.maxLen} |
| dropout | ${config.dropout} |
| content features | ${config.numFeatures === 0 ? 'none (item ids only)' : `${config.numFeatures} (genres + release decade${training?.train?.titleBuckets ? ` + title words hashed into ${training.train.titleBuckets} buckets` : ''}, added to the item ID embedding)`} |
| initialisation | ${config.initStd
    ? `N(0, ${config.initStd}) for every embedding and dense weight${config.attentionInit === 'xavier' ? `, except the attention query / key / value projections: N(0, ${Math.sqrt(2 / (4 * config.dim)).toFixed(3)}), the spread of PyTorch's MultiheadAttention default` : ''}`
    : 'embeddings N(0, 1/sqrt(dim)), dense weights Xavier'} |

Item embeddings are shared between input and output; learned positional embeddings ${config.positions === 'fromStart'
    ? 'count from the oldest item of the window (position 0), as in the reference SASRec code, so the model knows how far into a history it is'
    : 'are right-aligned (the newest item is always at the last position)'}; ${config.block === 'sasrec'
    ? "blocks laid out as in the original SASRec code (attention queries read LayerNorm(x), keys and values read x; each residual starts from the normalised input of its sub-layer; dropout on the attention weights, not on the attention output)"
    : 'pre-LayerNorm blocks'}.

## Training
${training ? `- Objective: ${training.train?.loss?.kind === 'ce' ? 'full softmax cross-entropy over all items' : JSON.stringify(training.train?.loss)}; Adam (β2 ${lr?.beta2 ?? 0.98}, ε ${lr?.epsilon ?? 1e-9}, ${(lr?.clipNorm ?? 5) > 0 ? `global gradient-norm clip ${lr?.clipNorm ?? 5}` : 'no gradient clipping'}), ${schedule}; batch ${training.train?.batchSize} sequences ${training.train?.batches === 'random'
    ? 'drawn at random (as in the reference code), computed in groups of similar length whose gradients are summed (the same gradient as one padded batch)'
    : 'bucketed by length'}.${phases}
${lr?.schedule === 'timed' ? `- Learning rate: as planned above on the run's own clock (the last epoch ended at ${f(training.history?.[training.history.length - 1]?.lr, 6)}).` : `- Learning rate actually used: ${lrSegments.join(', ') || '–'}${lrSegments.length > 1 && !earlier && lr?.plateauEpochs >= lr?.epochs ? ' (changed by hand when the run was resumed)' : ''}.`}
- Validation: the second-to-last item of ${training.train?.validUsers} random users, NDCG@10 every epoch, ${lr?.schedule === 'timed' ? 'no early stop (the time budget ends the run); the best epoch is kept' : `early stopping (patience ${training.train?.patience})`}.
${heldOut.length ? `- Held out of pretraining: ${heldOut.join('; ')}. They are in none of its training, validation or test cases (the results below).\n` : ''}- Epochs run: ${offset ? `${offset} + ${training.epochs} = ${offset + training.epochs}` : training.epochs}; ${offset ? 'best second-phase' : 'best'} validation NDCG@10 ${f(training.bestValidNdcg10)} at epoch ${training.bestEpoch + offset}; ${training.finished ? 'training finished (early stopping or epoch limit).' : '**training was still running when this export was made** (exported from the best checkpoint so far).'}${averaged ? `\n- Shipped weights: the element-wise mean of the weights after epochs ${averaged} (\`npm run average-weights\`), not a single epoch's.` : ''}
- Training compute: ${computeUnknown ? `${(training.trainSeconds / 3600).toFixed(1)} h of step time in the second phase (the first phase's is not recorded in training.json)` : `${(computeSeconds / 3600).toFixed(1)} h of step time`} on ${o.machine ?? (torchTrainer ? `${torchTrainer}` : 'a 2-core x86-64 machine, tfjs 4.22 WASM backend, 2 data-parallel worker threads')}.` : '- (no training.json)'}

## Results (test, leave-one-out, full ranking over all ${config.numItems} items, seen items excluded, ${metrics.users} users)
| model | HR@10 | NDCG@10 | source |
|---|---|---|---|
${rows.map((r) => `| ${r[0]} | ${f(r[1])} | ${f(r[2])} | ${r[3]} |`).join('\n')}

This model: HR@5 ${f(full['HR@5'])}, NDCG@5 ${f(full['NDCG@5'])}, HR@20 ${f(full['HR@20'])}, NDCG@20 ${f(full['NDCG@20'])}, MRR ${f(full.MRR)}.
${beyond ? `Beyond accuracy (top-10 lists): catalog coverage ${f(beyond['coverage@10'], 3)}, novelty ${f(beyond['novelty@10'], 2)} bits, intra-list genre diversity ${f(beyond['ild@10'], 3)}.` : ''}
${evalJson?.sampled?.models?.sasrec ? `Older sampled protocol (100 random negatives, **not comparable** to the full-ranking numbers): HR@10 ${f(evalJson.sampled.models.sasrec.metrics['HR@10'])}, NDCG@10 ${f(evalJson.sampled.models.sasrec.metrics['NDCG@10'])}.` : ''}

Reproduce: \`npm run eval -- --model ${dir} --data ${movieLens ? '../shared/datasets/ml-1m' : '<the training data>'} --json out.json\`.

### Weight precision
| precision | weights | HR@10 | NDCG@10 | MRR |
|---|---|---|---|---|
${precisionRows}

## On-device fine-tuning
The app fine-tunes this model in the browser with \`DEFAULT_FINETUNE_POLICY\` (\`src/engine/train/finetunePolicy.ts\`,
the same object \`npm run eval:ondevice\` measures; docs/ON_DEVICE.md).
${replay ? `\`replay.json\`: ${replay.sequences.length} replay exemplars, ${replay.method}. They contain no real person's history; the policy mixes a few into each fine-tuning run against forgetting.` : 'This folder has no replay.json: fine-tuning runs without replay exemplars.'}
${ondevice.length ? `
| data | NDCG@10 pretrained → fine-tuned | lift (95% CI) | people hurt | later-disliked in top 10, without → with feedback | other people's NDCG@10 | report |
|---|---|---|---|---|---|---|
${ondeviceRows}

People hurt = any drop in NDCG@10 on the 3 future items. Each report measured a model pretrained without the held-out people${o.ondeviceModel ? `: ${o.ondeviceModel}` : ', with this architecture and recipe'}.

Reproduce: \`npm run eval:ondevice -- --data <dataset dir> --model <model pretrained without the held-out people> --json out.json\` (docs/ON_DEVICE.md).` : ''}

## Known limits
${movieLens ? MOVIELENS_LIMITS : OTHER_LIMITS}
`;
return card;
}
