import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SequenceDataset } from '../data/types';
import { resolveConfig } from '../model/config';
import { SasRec } from '../model/sasrec';
import { mechanismPolicy, resolvePolicy } from '../train/finetunePolicy';
import { Rng } from '../train/rng';
import { itemYears } from '../rank/personYearBias';
import { evaluateOnDevice, type OnDeviceOptions } from './onDeviceEval';
import { episodeAt, futureEpisode, halfEpisode } from './onDeviceEpisodes';
import { userInteractions } from '../data/buildDataset';

// The protocol must call the app's own fine-tuning function: spy on the one module both import.
const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('../train/finetune', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../train/finetune')>();
  return { ...mod, finetune: (...a: Parameters<typeof mod.finetune>) => { calls.n++; return mod.finetune(...a); } };
});

/** 12 people over 50 items: each walks i -> i+1; ratings 5 except every 4th interaction rated 1. */
function tinyDataset(): SequenceDataset {
  const rng = new Rng(5);
  const sequences: Int32Array[] = [];
  const ratings: Float32Array[] = [];
  const times: Float64Array[] = [];
  for (let u = 0; u < 12; u++) {
    const len = u < 2 ? 40 : 12 + rng.int(0, 6);
    const start = rng.int(1, 51);
    const s = Int32Array.from({ length: len }, (_, k) => ((start - 1 + k) % 50) + 1);
    sequences.push(s);
    ratings.push(Float32Array.from(s, (_, k) => (k % 4 === 3 ? 1 : 5)));
    times.push(Float64Array.from(s, (_, k) => 1_000_000 + k * 60));
  }
  return { source: 'tiny', numItems: 50, userIds: sequences.map((_, i) => String(i)), sequences, ratings, times, itemIds: ['', ...Array.from({ length: 50 }, (_, i) => String(i + 1))] };
}

let model: SasRec;
const ds = tinyDataset();
beforeAll(async () => {
  await tf.setBackend('cpu');
  model = SasRec.create(resolveConfig({ numItems: 50, maxLen: 16, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0 }), 3);
});
afterAll(() => model.dispose());

const options = (): OnDeviceOptions => ({
  policy: resolvePolicy({ steps: 2, validateEvery: 1 }),
  futureCount: 3,
  referenceCases: [{ history: [1, 2, 3], target: 4, exclude: [1, 2, 3] }, { history: [7, 8], target: 9, exclude: [7, 8] }],
  referenceProbes: 2,
  chunkSize: 10,
  minChunks: 3,
  maxChunks: 3,
  chunkUsers: 2,
  replay: [],
  bootstrapIterations: 50,
  seed: 1,
});

describe('on-device episodes', () => {
  it('cuts the future off the history and lists later dislikes that are new items', () => {
    const ep = futureEpisode(ds, 3, 3, 4);
    const xs = userInteractions(ds, 3);
    expect(ep?.events).toHaveLength(xs.length - 3);
    expect(ep?.future).toEqual(xs.slice(-3).map((x) => x.item));
    expect(ep?.events[3].type).toBe('dislike');
    expect(ep?.events[0].type).toBe('like');
    const half = halfEpisode(ds, 0, 4);
    expect(half?.events).toHaveLength(20);
    expect(half?.laterDisliked.every((i) => !half.events.some((e) => e.itemId === i))).toBe(true);
    expect(episodeAt(xs, 3, 2, 4).future).toEqual([xs[2].item, xs[3].item]);
  });
});

describe('evaluateOnDevice', () => {
  it('runs the app fine-tuning function, is deterministic, leaves the pretrained model and memory unchanged', async () => {
    const before = tf.memory().numTensors;
    const w0 = await model.w('item_emb').data();
    calls.n = 0;
    const a = await evaluateOnDevice(model, ds, [0, 1, 2, 3, 4, 5, 6, 7], options());
    expect(calls.n).toBeGreaterThan(0);
    const b = await evaluateOnDevice(model, ds, [0, 1, 2, 3, 4, 5, 6, 7], options());
    expect(b).toEqual(Object.assign(a, { msPerUser: b.msPerUser, msPerStep: b.msPerStep }));
    expect(a.evaluatedUsers).toBe(8);
    expect(a.ndcg10.ci95[0]).toBeLessThanOrEqual(a.ndcg10.ci95[1]);
    expect(a.continual.users).toBe(2);
    expect(a.continual.chunks.map((c) => c.chunk)).toEqual([1, 2, 3]);
    expect(a.dislikedInTop10.users).toBeGreaterThan(0);
    expect(Array.from(await model.w('item_emb').data())).toEqual(Array.from(w0));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports the forgetting guard only when the policy turns it on', async () => {
    const replay = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]];
    const off = await evaluateOnDevice(model, ds, [0, 1, 2], { ...options(), replay, policy: resolvePolicy({ steps: 2, validateEvery: 1, replayRows: 2 }) });
    expect(off.forgettingGuard).toBeNull();
    const on = await evaluateOnDevice(model, ds, [0, 1, 2], { ...options(), replay, policy: resolvePolicy({ steps: 2, validateEvery: 1, replayRows: 2, maxReplayKl: 1e-9, learningRate: 0.05 }) });
    expect(on.forgettingGuard?.runs).toBe(on.evaluatedUsers);
    expect(on.forgettingGuard?.stoppedShare).toBeGreaterThan(0);
    expect(on.forgettingGuard?.medianKl).toBeLessThanOrEqual(on.forgettingGuard?.p90Kl ?? -1);
  });

  it('adds the release-year bias to the fine-tuned feed only, and reports its own share per person', async () => {
    // Items 1-50 released 1951-2000: the people walk i -> i+1, so their newest items are newer than average.
    const years = itemYears(Array.from({ length: 50 }, (_, i) => ({ id: i + 1, year: 1951 + i })), 50);
    const people = [0, 1, 2, 3, 4, 5, 6, 7];
    const policy = resolvePolicy({ steps: 0, yearBiasMinGap: -100 });
    const r = await evaluateOnDevice(model, ds, people, { ...options(), policy, years, parts: { future: true } });
    const y = r.yearBias;
    expect(y).not.toBeNull();
    if (!y) return;
    expect(Object.values(y.outcomes).reduce((a, b) => a + b, 0)).toBe(r.evaluatedUsers);
    expect(y.perPerson.gapYears).toHaveLength(r.evaluatedUsers);
    // No fine-tuning steps: without the bias the fine-tuned feed is the pretrained one; with it, it differs only where kept.
    expect(y.perPerson.withoutBias).toEqual(y.perPerson.pretrained);
    y.perPerson.outcome.forEach((o, i) => { if (o !== 'kept') expect(y.perPerson.withBias[i]).toBe(y.perPerson.pretrained[i]); });
    expect(y.outcomes.kept).toBeGreaterThan(0);
    expect(r.ndcg10.pretrained).toBe(y.withoutBias.ndcg10);
    // Off (yearBiasItems 0) or without years: no bias and no report.
    expect((await evaluateOnDevice(model, ds, people, { ...options(), policy: resolvePolicy({ steps: 0, yearBiasItems: 0 }), years, parts: { future: true } })).yearBias).toBeNull();
    const plain = await evaluateOnDevice(model, ds, people, { ...options(), policy, parts: { future: true } });
    expect(plain.yearBias).toBeNull();
    expect(plain.ndcg10.finetuned).toBe(plain.ndcg10.pretrained);
  });

  it('with zero fine-tuning steps the fine-tuned numbers equal the pretrained ones', async () => {
    const r = await evaluateOnDevice(model, ds, [0, 1, 2, 3], { ...options(), policy: resolvePolicy({ steps: 0 }) });
    expect(r.ndcg10.finetuned).toBe(r.ndcg10.pretrained);
    expect(r.usersHurtShare).toBe(0);
    expect(r.acceptedShare).toBe(0);
  });

  it('never ranks excluded items, buckets the lift by history length, and measures own earlier items', async () => {
    const excluded = new Set(Array.from({ length: 10 }, (_, i) => i + 41));
    const r = await evaluateOnDevice(model, ds, [0, 1, 2, 3, 4, 5, 6, 7], { ...options(), excluded, lengthEdges: [1, 20, 30], parts: { future: true } });
    expect(r.byLength.map((b) => [b.from, b.to])).toEqual([[1, 20], [20, 30], [30, null]]);
    // Length = liked or viewed items in the stored history: people 0 and 1 have 37 interactions,
    // every 4th a dislike, so 28 positives; the others at most 15.
    expect(r.byLength.map((b) => b.users)).toEqual([6, 2, 0]);
    expect(r.byLength.reduce((a, b) => a + b.users, 0)).toBe(r.evaluatedUsers);
    expect(r.ownEarlier.users).toBe(r.evaluatedUsers);
    expect(r.ownEarlier.pretrained).toBeGreaterThanOrEqual(0);
    expect(r.msPerStep).toBeGreaterThan(0);
    // Every future item that is excluded scores as a miss: with all future items excluded NDCG is 0.
    const all = new Set(Array.from({ length: 50 }, (_, i) => i + 1));
    const none = await evaluateOnDevice(model, ds, [0, 1, 2], { ...options(), excluded: all, parts: { future: true } });
    expect(none.ndcg10.pretrained).toBe(0);
    expect(none.ndcg10.finetuned).toBe(0);
  });

  it('runs a per-person adapter mechanism without touching the pretrained model or leaking', async () => {
    const before = tf.memory().numTensors;
    const w0 = await model.w('block0/wq').data();
    const r = await evaluateOnDevice(model, ds, [0, 1, 2, 3], { ...options(), policy: resolvePolicy({ ...mechanismPolicy('lora'), adapterRank: 2, steps: 2, validateEvery: 1, tolerance: 1 }), parts: { future: true, continual: true } });
    expect(r.evaluatedUsers).toBe(4);
    expect(r.acceptedShare).toBeGreaterThan(0);
    expect(Array.from(await model.w('block0/wq').data())).toEqual(Array.from(w0));
    expect(tf.memory().numTensors).toBe(before);
  });
});
