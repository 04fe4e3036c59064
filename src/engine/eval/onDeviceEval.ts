import * as tf from '@tensorflow/tfjs';
import { userInteractions } from '../data/buildDataset';
import type { SequenceDataset } from '../data/types';
import { SasRec } from '../model/sasrec';
import { personalScores, withoutYearBias } from '../rank/personalScores';
import type { ItemYears, YearBiasFit, YearBiasOutcome } from '../rank/personYearBias';
import { interpretEvents, type SignalView } from '../signals';
import type { AdamState } from '../train/adam';
import type { StoredAdapter } from '../train/adapters';
import { finetune, type FinetuneResult } from '../train/finetune';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { bootstrapLiftCi, liftPct, mean, quantile } from './bootstrap';
import { rankMetrics } from './metrics';
import { episodeAt, futureEpisode, halfEpisode, type Episode } from './onDeviceEpisodes';
import { countInTop, multiTargetMetrics, topK } from './multiTarget';
import { rankTargets, type EvalCase } from './rankTargets';

/** How the personalization protocol runs (issue 4). */
export interface OnDeviceOptions {
  policy: FinetunePolicy;
  /** The last this-many interactions of each person are the future to predict. */
  futureCount: number;
  /** Users of other people whose next item the fine-tuned model must still rank (forgetting check). */
  referenceCases: EvalCase[];
  /** Fine-tuned people whose model is checked against the reference set. */
  referenceProbes: number;
  /** Continual learning: interactions per chunk, fewest chunks a person needs, most people replayed. */
  chunkSize: number;
  minChunks: number;
  maxChunks: number;
  chunkUsers: number;
  /** Exemplar sequences of other people mixed into fine-tuning (replay). */
  replay: number[][];
  bootstrapIterations: number;
  seed: number;
  /** `popularityPrior` of the training people's item counts (the app uses its catalog's); null = none. */
  prior?: Float32Array | null;
  /**
   * Items the feed may never show here (e.g. catalog items with no counterpart in the people's
   * data, protocol `shift`): left out of every ranking, like seen items.
   */
  excluded?: ReadonlySet<number>;
  /**
   * The catalog's release years (`itemYears`, with `excluded`): the fine-tuned feed adds the
   * person's release-year bias as the app does (policy `yearBiasItems`); the pretrained feed, the
   * baseline without on-device learning, does not. Null/absent: no year bias.
   */
  years?: ItemYears | null;
  /** History-length bucket edges ([a, b) per bucket, the last open): lift per bucket (protocol `long`). */
  lengthEdges?: readonly number[];
  /** Which experiments to run (default all); skipped ones report zeros and empty lists. */
  parts?: { future?: boolean; dislikes?: boolean; continual?: boolean };
  onProgress?: (message: string) => void;
}

/** Result of `evaluateOnDevice`: metrics before and after on-device fine-tuning. */
export interface OnDeviceReport {
  heldOutUsers: number;
  evaluatedUsers: number;
  ndcg10: { pretrained: number; finetuned: number; liftPct: number; ci95: [number, number] };
  hr10: { pretrained: number; finetuned: number; liftPct: number; ci95: [number, number] };
  usersImprovedShare: number;
  /** People whose NDCG@10 went down at all (no noise allowance: the strictest reading). */
  usersHurtShare: number;
  /** Fine-tuning runs the policy kept (the rest were rolled back or skipped). */
  acceptedShare: number;
  dislikedInTop10: { pretrained: number; withoutFeedback: number; withFeedback: number; reductionPct: number; users: number; laterDislikedItems: number };
  reference: { users: number; probes: number; pretrainedNdcg10: number; finetunedNdcg10: number };
  referenceDropPct: number;
  continual: { chunkSize: number; users: number; chunks: { chunk: number; users: number; pretrained: number; finetuned: number }[] };
  msPerUser: number;
  /** Fine-tuning milliseconds per optimisation step (steps run, validation included). */
  msPerStep: number;
  /**
   * Forgetting of the person's own earlier items: NDCG@10 of items at 1/4, 1/2 and 3/4 of the
   * history given the items before them, before and after fine-tuning (the check for per-person
   * parameters, which cannot touch other people).
   */
  ownEarlier: { users: number; pretrained: number; finetuned: number; dropPct: number };
  /** Lift by history length (when `lengthEdges` is given). */
  byLength: { from: number; to: number | null; users: number; pretrained: number; finetuned: number; liftPct: number; ci95: [number, number]; hurtShare: number }[];
  /**
   * The forgetting guard over the future-part runs (null when the policy has it off): share of
   * runs it ended, and the KL of the kept weights on the guard exemplars (nats per position).
   */
  forgettingGuard: { runs: number; stoppedShare: number; medianKl: number; p90Kl: number } | null;
  /**
   * The fine-tuned feeds' release-year bias: people per outcome, the fine-tuned feed without it
   * (its own share), and per person (in evaluation order) the outcome, the year gap and NDCG@10
   * with and without it. Null when off or without years.
   */
  yearBias: YearBiasReport | null;
}

const K = 10;

/** A second model with its own variables holding the same weights. */
export function copyModel(m: SasRec): SasRec {
  return new SasRec(m.config, new Map([...m.weights].map(([n, v]) => [n, tf.variable(v, true)])), m.features);
}

/** Puts `from`'s weights back into `to` (same names and shapes). */
export function assignWeights(to: SasRec, from: SasRec): void {
  for (const [n, v] of to.weights) v.assign(from.w(n));
}

/**
 * Top 10 as the app's feed ranks it (the policy's rank-time dislike penalty included; the
 * release-year bias when `years` is given: the fine-tuned feed's, as the app's).
 */
async function topOf(model: SasRec, view: SignalView, policy: FinetunePolicy, prior: Float32Array | null = null, excluded?: ReadonlySet<number>, years: ItemYears | null = null, onYearBias?: (fit: YearBiasFit) => void): Promise<number[]> {
  const skip = excluded?.size ? new Set([...view.seen, ...excluded]) : view.seen;
  return topK(await personalScores(model, view, policy, prior, null, null, years, onYearBias), K, skip);
}

/** The person's items at 1/4, 1/2 and 3/4 of the history, each after the items before it. */
function earlierCases(sequence: readonly number[], excluded?: ReadonlySet<number>): EvalCase[] {
  const out: EvalCase[] = [];
  for (const q of [0.25, 0.5, 0.75]) {
    const at = Math.floor(sequence.length * q);
    if (at < 1 || at >= sequence.length - 1) continue;
    const prefix = sequence.slice(0, at);
    out.push({ history: prefix, target: sequence[at], exclude: excluded?.size ? [...prefix, ...excluded] : prefix });
  }
  return out;
}

async function referenceNdcg(model: SasRec, cases: EvalCase[]): Promise<number> {
  return cases.length ? rankMetrics((await rankTargets(model, cases)).ranks)[`NDCG@${K}`] : 0;
}

/**
 * Runs the personalization protocol over held-out people: for each, the pretrained model given the
 * on-device history as context vs the same model after the app's own `finetune` on that history.
 * `pretrained` is never changed. Deterministic for the same inputs.
 */
export async function evaluateOnDevice(pretrained: SasRec, ds: SequenceDataset, heldOut: readonly number[], opts: OnDeviceOptions): Promise<OnDeviceReport> {
  const live = copyModel(pretrained);
  const anchor = new Map([...pretrained.weights].map(([n, v]) => [n, v as tf.Tensor]));
  const say = opts.onProgress ?? (() => {});
  const tune = (view: SignalView, state: AdamState | null = null, adapter: StoredAdapter | null = null): Promise<FinetuneResult> =>
    finetune({ model: live, pretrained: anchor, history: view, policy: opts.policy, optimizerState: state, adapter, replay: opts.replay });
  const ex = opts.excluded;
  try {
    const pre: number[] = [], post: number[] = [], hrPre: number[] = [], hrPost: number[] = [];
    let accepted = 0, ms = 0, stepsRun = 0;
    const lengths: number[] = [];
    const earlyPre: number[] = [], earlyPost: number[] = [];
    const kls: number[] = [];
    let guardStops = 0;
    const yearOn = !!opts.years && opts.policy.yearBiasItems > 0;
    const year = { outcome: [] as YearBiasOutcome[], gapYears: [] as number[], withoutBias: [] as number[], hrWithoutBias: [] as number[] };
    const refPre = await referenceNdcg(pretrained, opts.referenceCases);
    const refPost: number[] = [];
    const episodes = heldOut.map((u) => futureEpisode(ds, u, opts.futureCount, opts.policy.minHistory + 1)).filter((e): e is Episode => e !== null && e.future.length > 0);
    const parts = { future: true, dislikes: true, continual: true, ...opts.parts };
    for (const [i, ep] of (parts.future ? episodes : []).entries()) {
      const view = interpretEvents(ep.events);
      if (view.sequence.length < opts.policy.minHistory) continue;
      const a = multiTargetMetrics(await topOf(pretrained, view, opts.policy, opts.prior ?? null, ex), ep.future, K);
      const t0 = performance.now();
      const r = await tune(view);
      ms += performance.now() - t0;
      stepsRun += r.ran;
      lengths.push(view.sequence.length);
      const early = earlierCases(view.sequence, ex);
      if (early.length) {
        earlyPre.push(await referenceNdcg(pretrained, early));
        earlyPost.push(await referenceNdcg(live, early));
      }
      if (r.accepted) accepted++;
      if (r.replayKl !== null) kls.push(r.replayKl);
      if (r.guardStopped) guardStops++;
      const seen: { fit: YearBiasFit | null } = { fit: null };
      const b = multiTargetMetrics(await topOf(live, view, opts.policy, opts.prior ?? null, ex, opts.years, (f) => { seen.fit = f; }), ep.future, K);
      if (yearOn) {
        // The same fine-tuned feed without the bias: the bias's own share, per person.
        const c = multiTargetMetrics(await topOf(live, view, withoutYearBias(opts.policy), opts.prior ?? null, ex), ep.future, K);
        year.outcome.push(seen.fit?.outcome ?? 'too-few-items'); year.gapYears.push(seen.fit?.gapYears ?? 0);
        year.withoutBias.push(c.ndcg); year.hrWithoutBias.push(c.hr);
      }
      pre.push(a.ndcg); post.push(b.ndcg); hrPre.push(a.hr); hrPost.push(b.hr);
      if (refPost.length < opts.referenceProbes && r.accepted) refPost.push(await referenceNdcg(live, opts.referenceCases));
      assignWeights(live, pretrained);
      if ((i + 1) % 20 === 0) say(`future: ${i + 1}/${episodes.length} people, NDCG@10 ${mean(pre).toFixed(4)} -> ${mean(post).toFixed(4)}`);
    }

    const disliked = parts.dislikes
      ? await dislikeExperiment(pretrained, live, ds, heldOut, opts, tune, say)
      : { pretrained: 0, withoutFeedback: 0, withFeedback: 0, reductionPct: 0, users: 0, laterDislikedItems: 0 };
    const continual = parts.continual
      ? await continualExperiment(pretrained, live, ds, heldOut, opts, tune, say)
      : { chunkSize: opts.chunkSize, users: 0, chunks: [] };
    const ndcgPre = mean(pre), ndcgPost = mean(post);
    return {
      heldOutUsers: heldOut.length,
      evaluatedUsers: pre.length,
      ndcg10: { pretrained: ndcgPre, finetuned: ndcgPost, liftPct: liftPct(ndcgPre, ndcgPost), ci95: bootstrapLiftCi(pre, post, opts.bootstrapIterations, opts.seed) },
      hr10: { pretrained: mean(hrPre), finetuned: mean(hrPost), liftPct: liftPct(mean(hrPre), mean(hrPost)), ci95: bootstrapLiftCi(hrPre, hrPost, opts.bootstrapIterations, opts.seed + 1) },
      usersImprovedShare: pre.length ? pre.filter((v, i) => post[i] > v).length / pre.length : 0,
      usersHurtShare: pre.length ? pre.filter((v, i) => post[i] < v).length / pre.length : 0,
      acceptedShare: pre.length ? accepted / pre.length : 0,
      dislikedInTop10: disliked,
      reference: { users: opts.referenceCases.length, probes: refPost.length, pretrainedNdcg10: refPre, finetunedNdcg10: refPost.length ? mean(refPost) : refPre },
      referenceDropPct: refPost.length ? -liftPct(refPre, mean(refPost)) : 0,
      continual,
      msPerUser: pre.length ? ms / pre.length : 0,
      msPerStep: stepsRun ? ms / stepsRun : 0,
      ownEarlier: { users: earlyPre.length, pretrained: mean(earlyPre), finetuned: mean(earlyPost), dropPct: earlyPre.length ? -liftPct(mean(earlyPre), mean(earlyPost)) : 0 },
      byLength: liftByLength(lengths, pre, post, opts),
      yearBias: yearOn ? yearBiasReport(year, pre, post, opts) : null,
      forgettingGuard: kls.length ? { runs: kls.length, stoppedShare: guardStops / kls.length, medianKl: quantile(kls, 0.5), p90Kl: quantile(kls, 0.9) } : null,
    };
  } finally {
    for (const v of live.weights.values()) v.dispose();
  }
}

export interface YearBiasReport {
  outcomes: Record<YearBiasOutcome, number>;
  /** NDCG@10 of the fine-tuned feed without the bias, and the bias's lift over it. */
  withoutBias: { ndcg10: number; liftPct: number; ci95: [number, number]; hr10: number; usersHurtShare: number };
  perPerson: { outcome: YearBiasOutcome[]; gapYears: number[]; pretrained: number[]; withBias: number[]; withoutBias: number[] };
}

function yearBiasReport(y: { outcome: YearBiasOutcome[]; gapYears: number[]; withoutBias: number[]; hrWithoutBias: number[] }, pre: number[], post: number[], opts: OnDeviceOptions): YearBiasReport {
  const outcomes: Record<YearBiasOutcome, number> = { kept: 0, 'too-few-items': 0, 'not-newer': 0, 'not-validated': 0 };
  for (const o of y.outcome) outcomes[o]++;
  const w = y.withoutBias;
  return {
    outcomes,
    withoutBias: {
      ndcg10: mean(w), liftPct: liftPct(mean(w), mean(post)), ci95: bootstrapLiftCi(w, post, opts.bootstrapIterations, opts.seed + 7), hr10: mean(y.hrWithoutBias),
      usersHurtShare: w.length ? pre.filter((v, i) => w[i] < v).length / w.length : 0,
    },
    perPerson: { outcome: y.outcome, gapYears: y.gapYears, pretrained: pre, withBias: post, withoutBias: w },
  };
}

type Tune = (view: SignalView, state?: AdamState | null, adapter?: StoredAdapter | null) => Promise<FinetuneResult>;

/** Pretrained vs fine-tuned NDCG@10 per history-length bucket (paired bootstrap per bucket). */
function liftByLength(lengths: number[], pre: number[], post: number[], opts: OnDeviceOptions): OnDeviceReport['byLength'] {
  const edges = opts.lengthEdges ?? [];
  return edges.map((from, b) => {
    const to = b + 1 < edges.length ? edges[b + 1] : null;
    const idx = lengths.map((l, i) => (l >= from && (to === null || l < to) ? i : -1)).filter((i) => i >= 0);
    const a = idx.map((i) => pre[i]), z = idx.map((i) => post[i]);
    return {
      from, to, users: idx.length, pretrained: mean(a), finetuned: mean(z), liftPct: liftPct(mean(a), mean(z)),
      ci95: bootstrapLiftCi(a, z, opts.bootstrapIterations, opts.seed + 2 + b),
      hurtShare: idx.length ? idx.filter((i) => post[i] < pre[i]).length / idx.length : 0,
    };
  });
}

/**
 * Later-disliked items in the top 10: pretrained (no dislike feedback), fine-tuned without the
 * dislike feedback (not trained on, not used in ranking) and with it (trained on, and the policy's
 * rank-time penalty).
 */
async function dislikeExperiment(pretrained: SasRec, live: SasRec, ds: SequenceDataset, heldOut: readonly number[], opts: OnDeviceOptions, tune: Tune, say: (m: string) => void): Promise<OnDeviceReport['dislikedInTop10']> {
  let base = 0, without = 0, withFb = 0, users = 0, items = 0;
  for (const u of heldOut) {
    const ep = halfEpisode(ds, u, opts.policy.minHistory + 1);
    if (!ep || ep.laterDisliked.length === 0) continue;
    const view = interpretEvents(ep.events);
    if (view.sequence.length < opts.policy.minHistory || view.disliked.length === 0) continue;
    users++;
    items += ep.laterDisliked.length;
    // Without feedback: the dislikes are neither trained on nor used in ranking.
    const blind = { ...view, disliked: [] };
    base += countInTop(await topOf(pretrained, blind, opts.policy, opts.prior ?? null, opts.excluded), ep.laterDisliked, K);
    await tune(blind);
    without += countInTop(await topOf(live, blind, opts.policy, opts.prior ?? null, opts.excluded, opts.years), ep.laterDisliked, K);
    assignWeights(live, pretrained);
    await tune(view);
    withFb += countInTop(await topOf(live, view, opts.policy, opts.prior ?? null, opts.excluded, opts.years), ep.laterDisliked, K);
    assignWeights(live, pretrained);
  }
  say(`dislikes: ${users} people, later-disliked in top 10: pretrained ${base}, without feedback ${without}, with ${withFb}`);
  const per = (n: number) => (users ? n / users : 0);
  return { pretrained: per(base), withoutFeedback: per(without), withFeedback: per(withFb), reductionPct: without ? ((without - withFb) / without) * 100 : 0, users, laterDislikedItems: items };
}

/** Replays long histories in chunks, fine-tuning incrementally as the app does; accuracy per chunk. */
async function continualExperiment(pretrained: SasRec, live: SasRec, ds: SequenceDataset, heldOut: readonly number[], opts: OnDeviceOptions, tune: Tune, say: (m: string) => void): Promise<OnDeviceReport['continual']> {
  const long = heldOut.filter((u) => ds.sequences[u].length >= opts.chunkSize * opts.minChunks + opts.futureCount).slice(0, opts.chunkUsers);
  const sums: { users: number; pre: number; post: number }[] = [];
  for (const u of long) {
    const xs = userInteractions(ds, u);
    const chunks = Math.min(opts.maxChunks, Math.floor((xs.length - opts.futureCount) / opts.chunkSize));
    let state: AdamState | null = null;
    let adapter: StoredAdapter | null = null;
    for (let c = 1; c <= chunks; c++) {
      const cut = c * opts.chunkSize;
      const ep = episodeAt(xs, u, cut, cut + opts.futureCount);
      const view = interpretEvents(ep.events);
      const r = await tune(view, state, adapter);
      if (r.accepted) { state = r.optimizerState; adapter = r.adapter; }
      if (ep.future.length === 0 || view.sequence.length === 0) continue;
      const a = multiTargetMetrics(await topOf(pretrained, view, opts.policy, opts.prior ?? null, opts.excluded), ep.future, K).ndcg;
      const b = multiTargetMetrics(await topOf(live, view, opts.policy, opts.prior ?? null, opts.excluded, opts.years), ep.future, K).ndcg;
      const s = (sums[c - 1] ??= { users: 0, pre: 0, post: 0 });
      s.users++; s.pre += a; s.post += b;
    }
    assignWeights(live, pretrained);
    say(`continual: person ${u} replayed in ${chunks} chunks`);
  }
  return {
    chunkSize: opts.chunkSize,
    users: long.length,
    chunks: sums.map((s, i) => ({ chunk: i + 1, users: s.users, pretrained: s.pre / s.users, finetuned: s.post / s.users })),
  };
}
