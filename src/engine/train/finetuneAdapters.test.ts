import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SasRec } from '../model/sasrec';
import { freeTiny, loadTinyWithPretrained } from '../testing/tinyModel';
import { adaptedWeights, adapterBytes, adapterShapes, ADAPTER_KINDS, mergeAdapter, type StoredAdapter } from './adapters';
import { finetune, type FinetuneHistory } from './finetune';
import { mechanismOf, mechanismPolicy, resolvePolicy, type FinetunePolicy } from './finetunePolicy';

const loadTiny = loadTinyWithPretrained;
const free = freeTiny;
const values = async (model: SasRec, name: string) => (await model.w(name).data()) as Float32Array;

// A person who walks Drama (ids 17..24) backwards: the pretrained rule says forwards.
const backwards: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19, 18, 17], weights: [1, 1, 1, 1, 1, 1, 1, 1], disliked: [] };

const policyFor = (kind: (typeof ADAPTER_KINDS)[number], extra: Partial<FinetunePolicy> = {}) =>
  resolvePolicy({ ...mechanismPolicy(kind), steps: 12, learningRate: 0.01, maxDrift: 0.5, tolerance: 0, validateEvery: 1, adapterRank: 2, replayRows: 0, ...extra });

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe.each(ADAPTER_KINDS)('finetune with a %s adapter', (kind) => {
  it('learns the pattern, changes only the adapted weights (= pretrained + adapter), leaks nothing', async () => {
    const x = loadTiny();
    const untouched = [...x.model.weights.keys()].filter((n) => !adaptedWeights(x.model.config, kind).includes(n));
    const before = await Promise.all(untouched.map((n) => values(x.model, n)));
    const tensors = tf.memory().numTensors;
    const losses: number[] = [];
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor(kind, { tolerance: 1 }), onStep: (_s, _n, l) => losses.push(l) });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.accepted).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(r.trainable).toEqual(adaptedWeights(x.model.config, kind));
    expect(await Promise.all(untouched.map((n) => values(x.model, n)))).toEqual(before);
    const a = r.adapter as StoredAdapter;
    expect(a.kind).toBe(kind);
    expect(Object.keys(a.tensors).sort()).toEqual([...adapterShapes(x.model.config, kind, 2).keys()].sort());
    // Merging the stored adapter onto a fresh copy of the pretrained model gives the trained model.
    const y = loadTiny();
    const n0 = tf.memory().numTensors;
    mergeAdapter(y.model, y.pretrained, a);
    expect(tf.memory().numTensors).toBe(n0);
    for (const n of adaptedWeights(x.model.config, kind)) {
      const [p, q] = [await values(x.model, n), await values(y.model, n)];
      p.forEach((v, i) => expect(q[i]).toBeCloseTo(v, 5));
    }
    free(x);
    free(y);
  });

  it('onImproved hands the model weights the adapter gives (pretrained + adapter), the kept ones last; no leaks', async () => {
    const x = loadTiny();
    const tensors = tf.memory().numTensors;
    const seen: { step: number; weights: Map<string, Float32Array> }[] = [];
    const r = await finetune({
      model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor(kind, { tolerance: 1, steps: 6, validateEvery: 2 }),
      onImproved: async (step, weights) => {
        const read = new Map<string, Float32Array>();
        for (const [n, t] of weights) read.set(n, (await t.data()) as Float32Array);
        seen.push({ step, weights: read });
      },
    });
    expect(r.accepted).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    // The early look after step 1 (policy.firstValidation) passes at this tolerance, then every regular validation.
    expect(seen.map((s) => s.step)).toEqual([1, 2, 4, 6].slice(0, seen.length));
    const last = seen[seen.length - 1];
    expect(last.step).toBe(r.steps);
    expect([...last.weights.keys()].sort()).toEqual(adaptedWeights(x.model.config, kind).sort());
    for (const [n, w] of last.weights) {
      const kept = await values(x.model, n);
      w.forEach((v, i) => expect(kept[i]).toBeCloseTo(v, 5));
    }
    free(x);
  });

  it('is deterministic and continues from the stored adapter', async () => {
    const runs: StoredAdapter[] = [];
    for (let i = 0; i < 2; i++) {
      const x = loadTiny();
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor(kind, { tolerance: 1 }) });
      runs.push(r.adapter as StoredAdapter);
      free(x);
    }
    for (const n of Object.keys(runs[0].tensors)) expect(runs[1].tensors[n]).toEqual(runs[0].tensors[n]);
    // A second run starts where the first ended: its starting loss is the first run's final one.
    const x = loadTiny();
    const first = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor(kind, { tolerance: 1 }) });
    const second = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor(kind, { tolerance: 1 }), adapter: first.adapter, optimizerState: first.optimizerState });
    expect(second.valBefore as number).toBeCloseTo(first.valAfter as number, 4);
    free(x);
  });

  it('a rolled-back run returns the input adapter and leaves the model as it was; a reset drops the adapter', async () => {
    const x = loadTiny();
    const first = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor(kind, { tolerance: 1 }) });
    const names = adaptedWeights(x.model.config, kind);
    const before = await Promise.all(names.map((n) => values(x.model, n)));
    // Disliking the held-out item itself with a huge step makes it worse at once: nothing is kept.
    const bad = {
      history: { sequence: [9, 10, 11, 12, 13, 14], weights: [1, 1, 1, 1, 1, 1], disliked: [14] },
      policy: policyFor(kind, { steps: 2, learningRate: 5, maxDrift: 0, clipNorm: 0, dislikeWeight: 50, l2ToPretrained: 0, tolerance: 1e-6 }),
    };
    const r = await finetune({ model: x.model, pretrained: x.pretrained, adapter: null, ...bad });
    expect(r.accepted).toBe(false);
    expect(r.adapter).toBeNull();
    expect(await Promise.all(names.map((n) => values(x.model, n)))).toEqual(before);
    // From the first run's adapter, on data where the pretrained weights do better: back to them.
    const again = await finetune({ model: x.model, pretrained: x.pretrained, adapter: first.adapter, ...bad });
    if (again.reset) {
      expect(again.adapter).toBeNull();
      for (const n of names) expect(await values(x.model, n)).toEqual(await x.pretrained.get(n)?.data());
    } else {
      expect(again.accepted).toBe(false);
      expect(again.adapter).toBe(first.adapter);
    }
    free(x);
  });
});

describe('adapters', () => {
  it('a stored adapter of another rank or kind (and its optimizer moments) gives way to a fresh one', async () => {
    const x = loadTiny();
    const first = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: policyFor('lora', { tolerance: 1 }) });
    for (const next of [policyFor('lora', { tolerance: 1, adapterRank: 3 }), policyFor('bias', { tolerance: 1 })]) {
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: next, adapter: first.adapter, optimizerState: first.optimizerState });
      expect(r.accepted).toBe(true);
      expect(r.adapter?.kind).toBe(next.adapter);
      expect(r.optimizerState?.step).toBe(r.ran);
    }
    free(x);
  });

  it('are a few KB per person on the shipped model size (d 128, 2 blocks)', () => {
    const cfg = { dim: 128, ffnDim: 128, blocks: 2 } as Parameters<typeof adapterShapes>[0];
    const bytes = (kind: (typeof ADAPTER_KINDS)[number], rank: number) =>
      adapterBytes({ kind, rank, tensors: Object.fromEntries([...adapterShapes(cfg, kind, rank)].map(([n, s]) => [n, new Float32Array(s.reduce((a, b) => a * b, 1))])) });
    expect(bytes('lora', 4)).toBe(2 * 6 * 2 * 128 * 4 * 4); // 2 blocks x 6 matrices x (A + B) x 128 x r x 4 bytes
    expect(bytes('bias', 0)).toBe(512);
    expect(bytes('userEmbedding', 0)).toBe(512);
  });
  it('mechanisms map to policies and back', () => {
    for (const m of ['whole', 'lastBlock', ...ADAPTER_KINDS] as const) expect(mechanismOf(resolvePolicy(mechanismPolicy(m)))).toBe(m);
    expect(() => resolvePolicy({ adapter: 'prefix' as unknown as 'lora' })).toThrow(/adapter/);
  });
});

describe('finetune on a history longer than the window', () => {
  it('trains every window within maxWindows, without leaks, and differs from the newest window alone', async () => {
    // maxLen is 16: 45 items are three windows. Drama walked backwards, again and again.
    const seq = Array.from({ length: 45 }, (_, i) => 24 - (i % 8));
    const history = { sequence: seq, weights: seq.map(() => 1), disliked: [] };
    const run = async (maxWindows: number) => {
      const x = loadTiny();
      const n = tf.memory().numTensors;
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history, policy: resolvePolicy({ steps: 3, learningRate: 0.01, tolerance: 1, maxSequence: 1000, maxWindows, replayRows: 0 }) });
      expect(tf.memory().numTensors).toBe(n);
      const w = await values(x.model, 'block1/wq');
      free(x);
      return { r, w };
    };
    const one = await run(1);
    const three = await run(3);
    expect(one.r.accepted && three.r.accepted).toBe(true);
    expect(three.w).not.toEqual(one.w);
  });
});
