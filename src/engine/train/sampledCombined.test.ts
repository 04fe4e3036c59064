import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SasRec } from '../model/sasrec';
import { freeTiny, loadTinyWithPretrained, type TinyWithPretrained } from '../testing/tinyModel';
import { adaptedWeights, adapterShapes, type StoredAdapter } from './adapters';
import { finetune, type FinetuneHistory } from './finetune';
import { mechanismPolicy, resolvePolicy, type FinetunePolicy } from './finetunePolicy';

// Sampled softmax (large catalogs) together with per-person adapters and with histories longer
// than the model's window: both objectives read the adapter and the window sets alike.

type Loaded = TinyWithPretrained;

const loadTiny = loadTinyWithPretrained;
const free = freeTiny;
const values = async (model: SasRec, name: string) => (await model.w(name).data()) as Float32Array;

// A person who walks Drama (ids 17..24) backwards: the pretrained rule says forwards.
const backwards: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19, 18, 17], weights: [1, 1, 1, 1, 1, 1, 1, 1], disliked: [] };

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe.each(['lora', 'bias'] as const)('a %s adapter trained with sampled softmax', (kind) => {
  const policyFor = (extra: Partial<FinetunePolicy> = {}) => resolvePolicy({
    ...mechanismPolicy(kind), softmax: 'sampled', sampledNegatives: 12, adapterRank: 2,
    steps: 12, learningRate: 0.01, maxDrift: 0.5, tolerance: 1, validateEvery: 1, replayRows: 0, ...extra,
  });

  it('learns, changes only the adapted weights (item_emb stays pretrained), stores adapter moments only, leaks nothing', async () => {
    const x = loadTiny();
    const untouched = [...x.model.weights.keys()].filter((n) => !adaptedWeights(x.model.config, kind).includes(n));
    const before = await Promise.all(untouched.map((n) => values(x.model, n)));
    const tensors = tf.memory().numTensors;
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor() });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.softmax).toBe('sampled');
    expect(r.accepted).toBe(true);
    expect(r.steps).toBeGreaterThan(0);
    // LoRA learns the held-out item; a bias vector alone does not here (under full softmax either).
    if (kind === 'lora') expect(r.valAfter as number).toBeLessThan(r.valBefore as number);
    for (const n of adaptedWeights(x.model.config, kind)) expect(await values(x.model, n)).not.toEqual(await x.pretrained.get(n)?.data());
    expect(untouched).toContain('item_emb');
    expect(await Promise.all(untouched.map((n) => values(x.model, n)))).toEqual(before);
    const a = r.adapter as StoredAdapter;
    expect(a.kind).toBe(kind);
    const shapes = adapterShapes(x.model.config, kind, 2);
    expect(Object.keys(a.tensors).sort()).toEqual([...shapes.keys()].sort());
    // The moments are the adapter's: no item rows (item_emb is a constant local table here).
    expect(r.optimizerState?.rows).toBeUndefined();
    expect(Object.keys(r.optimizerState?.m ?? {}).sort()).toEqual([...shapes.keys()].sort());
    free(x);
  });

  it('is deterministic (replay, dislikes) and a second run continues the adapter and its moments', async () => {
    const history: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19], weights: [1, 0.6, 1, 0.5, 1, 1], disliked: [18, 3] };
    const policy = policyFor({ steps: 4, dislikeWeight: 0.5, replayRows: 2 });
    const run = async () => {
      const x = loadTiny();
      const tensors = tf.memory().numTensors;
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history, policy, replay: [[1, 2, 3, 4], [9, 10, 11, 12, 13]] });
      expect(tf.memory().numTensors).toBe(tensors);
      free(x);
      return r;
    };
    const [a, b] = [await run(), await run()];
    expect(a.accepted).toBe(true);
    expect(b.valAfter).toBe(a.valAfter);
    for (const n of Object.keys(a.adapter?.tensors ?? {})) expect(b.adapter?.tensors[n]).toEqual(a.adapter?.tensors[n]);

    const x = loadTiny();
    const first = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor() });
    const second = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor(), adapter: first.adapter, optimizerState: first.optimizerState });
    expect(second.valBefore as number).toBeCloseTo(first.valAfter as number, 4);
    expect(second.optimizerState?.step).toBe(first.ran + second.ran);
    free(x);
  });
});

describe('sampled softmax on a history longer than the window', () => {
  // maxLen is 16: 44 training items (one of 45 held out) are the windows [28, 44), [13, 29) and
  // [0, 14). With maxWindows 2 they make two sets: {newest, middle} at odd steps, {newest, oldest}
  // at even ones. Item ids 1..48 in a fixed walk.
  const seq = Array.from({ length: 45 }, (_, i) => 1 + ((i * 7) % 48));
  const altered = (from: number, to: number) => seq.map((id, i) => (i >= from && i < to ? 1 + ((id + 20) % 48) : id));
  const oldestOnly = altered(0, 13);
  const middleOnly = altered(14, 28);
  const policy = resolvePolicy({ adapter: 'none', softmax: 'sampled', sampledNegatives: 12, steps: 2, validateEvery: 1, learningRate: 0.01, tolerance: 100, maxSequence: 1000, maxWindows: 2, replayRows: 0 });

  const run = async (sequence: number[]) => {
    const x = loadTiny();
    const tensors = tf.memory().numTensors;
    const losses: number[] = [];
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: { sequence, weights: sequence.map(() => 1), disliked: [] }, policy, onStep: (_s, _n, l) => losses.push(l) });
    expect(tf.memory().numTensors).toBe(tensors);
    const out = { r, losses, wq: await values(x.model, 'block1/wq'), emb: await values(x.model, 'item_emb') };
    free(x);
    return out;
  };

  it('trains every window set, each at its own steps, without leaks', async () => {
    const base = await run(seq);
    expect(base.r.softmax).toBe('sampled');
    expect(base.r.accepted).toBe(true);
    expect(base.r.steps).toBe(2);
    expect(base.r.optimizerState?.rows?.item_emb).toBeDefined();
    // The middle window is read at step 1 only, the oldest at step 2 only: changing one changes
    // that step's loss and not the other's, and each changes the trained weights.
    const old = await run(oldestOnly);
    expect(old.losses[0]).toBeCloseTo(base.losses[0], 5);
    expect(Math.abs(old.losses[1] - base.losses[1])).toBeGreaterThan(1e-4);
    expect(old.wq).not.toEqual(base.wq);
    const middle = await run(middleOnly);
    expect(Math.abs(middle.losses[0] - base.losses[0])).toBeGreaterThan(1e-4);
    expect(middle.wq).not.toEqual(base.wq);
    // The oldest window's items are trained as rows too (their item_emb rows moved).
    const dim = 16;
    const pretrained = loadTiny();
    const p = await values(pretrained.model, 'item_emb');
    free(pretrained);
    const moved = (id: number) => base.emb.subarray(id * dim, (id + 1) * dim).some((v, c) => v !== p[id * dim + c]);
    for (const id of new Set(seq.slice(1, 13))) expect(moved(id)).toBe(true);
  });
});
