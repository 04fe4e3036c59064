import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SasRec } from '../model/sasrec';
import { scoreCatalog } from '../rank/scoreCatalog';
import { freeTiny, loadTinyWithPretrained } from '../testing/tinyModel';
import { finetune, type FinetuneHistory } from './finetune';
import { ADAPTER_LEARNING_RATE, DEFAULT_FINETUNE_POLICY, mechanismOf, mechanismPolicy, resolvePolicy, trainableNames, WEIGHTS_LEARNING_RATE, type FinetunePolicy } from './finetunePolicy';

const loadTiny = loadTinyWithPretrained;
/** These tests are of the model's own weights (adapters: finetuneAdapters.test.ts). */
const weightsPolicy = (o: Partial<FinetunePolicy>): FinetunePolicy => resolvePolicy({ adapter: 'none', ...o });
const free = freeTiny;
async function values(model: SasRec, name: string): Promise<Float32Array> {
  return (await model.w(name).data()) as Float32Array;
}

// A person who walks Drama (ids 17..24) backwards: the pretrained rule says forwards.
const backwards: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19, 18, 17], weights: [1, 1, 1, 1, 1, 1, 1, 1], disliked: [] };

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe("finetune of the model's own weights (adapter 'none')", () => {
  it('learns a personal pattern on the trainable subset only, within the drift cap, without leaks', async () => {
    const x = loadTiny();
    const policy = weightsPolicy({ steps: 20, learningRate: 0.01, maxDrift: 0.2, tolerance: 0, trainable: 'last-block' });
    const embBefore = await values(x.model, 'item_emb');
    const tensors = tf.memory().numTensors;
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.accepted).toBe(true);
    expect(r.steps).toBeGreaterThan(0);
    expect(r.valAfter as number).toBeLessThan(r.valBefore as number);
    expect(r.drift).toBeLessThanOrEqual(0.2 + 1e-5);
    expect(r.drift).toBeGreaterThan(0);
    expect(r.trainable).toEqual(trainableNames(x.model.weights.keys(), 'last-block', 2));
    expect(r.trainable).not.toContain('item_emb');
    expect(await values(x.model, 'item_emb')).toEqual(embBefore);
    expect(r.optimizerState?.step).toBe(r.ran);
    free(x);
  });

  it('caps the distance to the pretrained weights', async () => {
    const x = loadTiny();
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: weightsPolicy({ steps: 6, learningRate: 0.05, maxDrift: 0.01, tolerance: 10, l2ToPretrained: 0 }) });
    expect(r.accepted).toBe(true);
    expect(r.drift).toBeLessThanOrEqual(0.01 + 1e-5);
    expect(r.drift).toBeGreaterThan(0.009);
    free(x);
  });

  it('rolls back to the exact starting weights when the held-out item gets worse', async () => {
    const x = loadTiny();
    const before = await Promise.all(['block1/wq', 'final_ln_g'].map((n) => values(x.model, n)));
    // Disliking the held-out item itself with a huge step makes it worse at once: nothing may be kept.
    const r = await finetune({
      model: x.model, pretrained: x.pretrained,
      history: { sequence: [9, 10, 11, 12, 13, 14], weights: [1, 1, 1, 1, 1, 1], disliked: [14] },
      policy: weightsPolicy({ steps: 4, learningRate: 1, maxDrift: 0, l2ToPretrained: 0, clipNorm: 0, validateEvery: 1, tolerance: 0, dislikeWeight: 50 }),
    });
    expect(r.accepted).toBe(false);
    expect(r.reason).toMatch(/^rolled back/);
    expect(r.steps).toBe(0);
    const after = await Promise.all(['block1/wq', 'final_ln_g'].map((n) => values(x.model, n)));
    expect(after).toEqual(before);
    expect(r.drift).toBe(0);
    free(x);
  });

  it('the bar is the better of the current and the pretrained weights (no creeping loss over runs)', async () => {
    const x = loadTiny();
    // A previous checkpoint that already lost accuracy: perturbed final LayerNorm.
    tf.tidy(() => x.model.w('final_ln_g').assign(tf.mul(x.model.w('final_ln_g'), 0.3)));
    const forward: FinetuneHistory = { sequence: [17, 18, 19, 20, 21, 22], weights: [1, 1, 1, 1, 1, 1], disliked: [] };
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: forward, policy: weightsPolicy({ steps: 2, learningRate: 0, validateEvery: 1, tolerance: 0.01 }) });
    expect(r.valPretrained as number).toBeLessThan((r.valBefore as number) - 0.01);
    expect(r.steps).toBe(0); // no step may be kept: the bar is the pretrained loss, not the worse current one
    // ... and the safeguard goes back to the pretrained weights.
    expect(r.reset).toBe(true);
    expect(r.accepted).toBe(true);
    expect(r.reason).toMatch(/^reset to the pretrained weights/);
    expect(r.optimizerState).toBeNull();
    expect(r.valAfter).toBe(r.valPretrained);
    expect(await values(x.model, 'final_ln_g')).toEqual(await x.pretrained.get('final_ln_g')?.data());
    free(x);
  });

  it('holds out the newest validationItems positives (at most a third of the history) and averages their loss', async () => {
    const x = loadTiny();
    const forward: FinetuneHistory = { sequence: [17, 18, 19, 20, 21, 22], weights: [1, 1, 1, 1, 1, 1], disliked: [] };
    const policy = (validationItems: number) => weightsPolicy({ steps: 1, learningRate: 0, validateEvery: 1, validationItems });
    const one = await finetune({ model: x.model, pretrained: x.pretrained, history: forward, policy: policy(1) });
    const two = await finetune({ model: x.model, pretrained: x.pretrained, history: forward, policy: policy(2) });
    const many = await finetune({ model: x.model, pretrained: x.pretrained, history: forward, policy: policy(5) });
    // k = 2 is the mean of the losses of 22 after [17..21] and of 21 after [17..20].
    const ce = async (prefix: number[], target: number) => {
      const s = await scoreCatalog(x.model, prefix);
      const allowed = [...s].map((v, i) => (i === 0 || (prefix.includes(i) && i !== target) ? -Infinity : v));
      const m = Math.max(...allowed);
      return m + Math.log(allowed.reduce((a, v) => a + Math.exp(v - m), 0)) - s[target];
    };
    expect(one.valBefore as number).toBeCloseTo(await ce([17, 18, 19, 20, 21], 22), 4);
    expect(two.valBefore as number).toBeCloseTo(((await ce([17, 18, 19, 20, 21], 22)) + (await ce([17, 18, 19, 20], 21))) / 2, 4);
    // 5 asked, 6 items: capped at 2 (a third).
    expect(many.valBefore as number).toBeCloseTo(two.valBefore as number, 6);
    free(x);
  });

  it('dislikes push the disliked item down', async () => {
    const x = loadTiny();
    const history: FinetuneHistory = { sequence: [1, 2, 3, 4], weights: [1, 1, 1, 1], disliked: [5] };
    const rankOf = async (item: number) => {
      const s = await scoreCatalog(x.model, history.sequence);
      return [...s].filter((v, i) => i > 0 && v > s[item]).length;
    };
    const s0 = await scoreCatalog(x.model, history.sequence);
    const rank0 = await rankOf(5);
    expect(rank0).toBe(0); // the planted rule: 5 follows 4
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history, policy: weightsPolicy({ steps: 10, learningRate: 0.02, dislikeWeight: 5, tolerance: 100, maxDrift: 0.5 }) });
    expect(r.accepted).toBe(true);
    const s1 = await scoreCatalog(x.model, history.sequence);
    expect(s1[5] - s1[6]).toBeLessThan(s0[5] - s0[6]);
    expect(await rankOf(5)).toBeGreaterThan(rank0);
    free(x);
  });

  it('mixes replayed sequences into the loss', async () => {
    const run = async (replay?: number[][], replayRows = 8) => {
      const x = loadTiny();
      const losses: number[] = [];
      await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, replay, policy: weightsPolicy({ steps: 1, tolerance: 100, replayRows }), onStep: (_s, _o, l) => losses.push(l) });
      free(x);
      return losses[0];
    };
    const without = await run();
    const withReplay = await run([[33, 34, 35, 36, 37]]);
    expect(withReplay).not.toBeCloseTo(without, 3);
    // replayRows caps how many exemplars join a run: 0 = none, 1 of 2 differs from both of 2.
    expect(await run([[33, 34, 35, 36, 37]], 0)).toBeCloseTo(without, 6);
    const two = [[33, 34, 35, 36, 37], [1, 2, 3, 4, 5, 6, 7]];
    expect(await run(two, 1)).not.toBeCloseTo(await run(two, 2), 3);
  });

  it('distils replay rows toward the pretrained predictions (soft targets) and leaks nothing', async () => {
    const x = loadTiny();
    const lossOf = async (replay?: number[][]) => {
      const losses: number[] = [];
      const before = tf.memory().numTensors;
      await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, replay, policy: weightsPolicy({ steps: 1, learningRate: 0, tolerance: 100, replayWeight: 0.5 }), onStep: (_s, _o, l) => losses.push(l) });
      expect(tf.memory().numTensors).toBe(before);
      return losses[0];
    };
    const without = await lossOf(); // mean CE over the 6 targets of the 7 training items (weights 1)
    const row = [33, 34, 35, 36, 37];
    // At the first step the model is the teacher: each replay position (the row packed whole, as
    // in training) adds the entropy of its next-item prediction.
    const h = tf.tidy(() => {
      const table = x.model.itemTable();
      const enc = x.model.encode(table, tf.tensor2d([row], [1, row.length], 'int32'), { training: false });
      return tf.matMul(tf.reshape(enc, [row.length, -1]), table, false, true);
    });
    const logits = (await h.data()) as Float32Array;
    h.dispose();
    const vocab = logits.length / row.length;
    let entropy = 0;
    for (let j = 0; j < row.length - 1; j++) {
      const s = [...logits.subarray(j * vocab + 1, (j + 1) * vocab)]; // column 0 (padding) is never a target
      const m = Math.max(...s);
      const z = s.reduce((a, v) => a + Math.exp(v - m), 0);
      entropy -= s.reduce((a, v) => a + (Math.exp(v - m) / z) * (v - m - Math.log(z)), 0);
    }
    expect(await lossOf([row])).toBeCloseTo((without * 6 + 0.5 * entropy) / (6 + 0.5 * 4), 4);
    free(x);
  });

  it('forgetting guard: stops when other people\'s predictions move too far, on exemplars it does not train on', async () => {
    const pool = [[33, 34, 35, 36, 37], [1, 2, 3, 4, 5, 6, 7], [9, 10, 11, 12], [40, 41, 42, 43, 44]];
    const run = async (maxReplayKl: number, replay = pool) => {
      const x = loadTiny();
      const start = await values(x.model, 'item_emb');
      const before = tf.memory().numTensors;
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, replay,
        policy: weightsPolicy({ steps: 6, validateEvery: 2, learningRate: 0.05, tolerance: 100, replayRows: 2, maxReplayKl }) });
      expect(tf.memory().numTensors).toBe(before);
      const moved = Math.max(...(await values(x.model, 'item_emb')).map((v, i) => Math.abs(v - start[i])));
      free(x);
      return { r, moved };
    };
    const off = await run(0);
    expect(off.r.steps).toBe(6);
    // A limit nothing can meet: stopped at the first validation, exact starting weights kept.
    const tight = await run(1e-7);
    expect(tight.r.steps).toBe(0);
    expect(tight.r.accepted).toBe(false);
    expect(tight.r.reason).toMatch(/other people's predictions moved too far at step 2 \(KL [0-9.]+ > 1e-7\)/);
    expect(tight.moved).toBe(0);
    expect(tight.r.guardStopped).toBe(true);
    expect(off.r.replayKl).toBeNull();
    expect(off.r.guardStopped).toBe(false);
    // A limit never reached changes nothing.
    const loose = await run(100);
    expect(loose.r.steps).toBe(6);
    expect(loose.moved).toBeCloseTo(off.moved, 6);
    expect(loose.r.guardStopped).toBe(false);
    expect(loose.r.replayKl).toBeGreaterThan(0);
    // With no spare exemplars (all of them trained on) the guard has nothing to read: inactive.
    expect((await run(1e-7, pool.slice(0, 2))).r.steps).toBe(6);
  });

  it('skips short histories and steps = 0 without touching the model', async () => {
    const x = loadTiny();
    const short = await finetune({ model: x.model, pretrained: x.pretrained, history: { sequence: [1, 2], weights: [1, 1], disliked: [] }, policy: DEFAULT_FINETUNE_POLICY });
    expect(short).toMatchObject({ accepted: false, steps: 0, valBefore: null });
    expect(short.reason).toContain('at least 3');
    const none = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: weightsPolicy({ steps: 0 }) });
    expect(none.reason).toContain('inference only');
    free(x);
  });

  it('gives the same result on the cpu and wasm backends', async () => {
    const history: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19], weights: [1, 0.6, 1, 0.5, 1, 1], disliked: [18, 3] };
    const policy = weightsPolicy({ steps: 4, validateEvery: 1, tolerance: 100 });
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const x = loadTiny();
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history, policy });
      const w = await values(x.model, 'block1/ffn_w1');
      const e = await values(x.model, 'item_emb');
      free(x);
      return { r, w, e };
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.r.accepted).toBe(cpu.r.accepted);
    expect(wasm.r.valAfter as number).toBeCloseTo(cpu.r.valAfter as number, 4);
    let maxDiff = 0;
    for (const [a, b] of [[cpu.w, wasm.w], [cpu.e, wasm.e]]) for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('validates after the first step, then every validateEvery steps, and serves each validated step', async () => {
    const validatedAt = async (over: Partial<FinetunePolicy>): Promise<number[]> => {
      const x = loadTiny();
      const at: number[] = [];
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: weightsPolicy({ steps: 6, learningRate: 0.01, tolerance: 100, ...over }), onImproved: (step) => void at.push(step) });
      expect(r.steps).toBe(6);
      free(x);
      return at;
    };
    // The default: the feed gets the weights of step 1 (learning shows after one step).
    expect(DEFAULT_FINETUNE_POLICY.firstValidation).toBe(1);
    expect(await validatedAt({ validateEvery: 2 })).toEqual([1, 2, 4, 6]);
    // firstValidation = validateEvery: the schedule before the setting existed.
    expect(await validatedAt({ validateEvery: 2, firstValidation: 2 })).toEqual([2, 4, 6]);
    expect(await validatedAt({ validateEvery: 4, firstValidation: 3 })).toEqual([3, 4, 6]);
    expect(() => resolvePolicy({ firstValidation: 0 })).toThrow(/firstValidation/);
  });

  it('the early look changes nothing the run keeps: same steps, reason and weights with or without it', async () => {
    for (const over of [{ tolerance: 0, learningRate: 0.05 }, { tolerance: 100, learningRate: 0.01 }, { tolerance: 0.01, learningRate: 0.2 }]) {
      const results = [];
      for (const firstValidation of [1, 2]) {
        const x = loadTiny();
        const served: number[] = [];
        const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards,
          policy: weightsPolicy({ steps: 6, validateEvery: 2, firstValidation, ...over }), onImproved: (step) => void served.push(step) });
        results.push({ r, served, w: await values(x.model, 'block1/wq') });
        free(x);
      }
      const [early, plain] = results;
      expect(early.r.steps).toBe(plain.r.steps);
      expect(early.r.reason).toBe(plain.r.reason);
      expect(early.r.accepted).toBe(plain.r.accepted);
      expect(early.w).toEqual(plain.w);
      expect(plain.served).not.toContain(1);
      // Served at step 1 only when that look passed; the regular validations are the same.
      expect(early.served.filter((s) => s !== 1)).toEqual(plain.served);
    }
  });

  it('validates policies', () => {
    expect(() => resolvePolicy({ minHistory: 1 })).toThrow(/minHistory/);
    expect(() => resolvePolicy({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => resolvePolicy({ trainable: 'some' as 'all' })).toThrow(/trainable/);
    // The release-year bias: 0 turns it off, one item cannot both fit and validate.
    expect(resolvePolicy({ yearBiasItems: 0 }).yearBiasItems).toBe(0);
    expect(() => resolvePolicy({ yearBiasItems: 1 })).toThrow(/yearBiasItems" must be 0 \(off\) or 2..100/);
    expect(() => resolvePolicy({ yearBiasItems: 2.5 })).toThrow(/yearBiasItems/);
    expect(() => resolvePolicy({ yearBiasL2: -0.1 })).toThrow(/yearBiasL2/);
    expect(() => resolvePolicy({ yearBiasMinGap: Number.NaN })).toThrow(/yearBiasMinGap/);
    expect(resolvePolicy()).toMatchObject({ yearBiasItems: 10, yearBiasL2: 0.1, yearBiasMinGap: 1 });
    // A misspelt setting is an error, not silently the default.
    expect(() => resolvePolicy({ replayweight: 0 } as unknown as Partial<FinetunePolicy>)).toThrow(/Unknown fine-tuning policy setting "replayweight". Known settings: .*replayWeight/);
    expect(trainableNames(['item_emb', 'block0/ln1_g', 'block1/wq', 'final_ln_b'], 'layer-norms', 2)).toEqual(['block0/ln1_g', 'final_ln_b']);
  });

  it('the default is a rank-4 LoRA adapter; the learning rate follows the mechanism unless the policy sets it', () => {
    expect(resolvePolicy()).toMatchObject({ adapter: 'lora', adapterRank: 4, learningRate: ADAPTER_LEARNING_RATE });
    expect(DEFAULT_FINETUNE_POLICY).toMatchObject({ adapter: 'lora', learningRate: ADAPTER_LEARNING_RATE });
    expect(resolvePolicy({ adapter: 'none' }).learningRate).toBe(WEIGHTS_LEARNING_RATE);
    expect(resolvePolicy({ adapter: 'bias' }).learningRate).toBe(ADAPTER_LEARNING_RATE);
    expect(resolvePolicy({ adapter: 'none', learningRate: 0.05 }).learningRate).toBe(0.05);
    expect(resolvePolicy({ learningRate: 0.002 }).learningRate).toBe(0.002);
    expect(WEIGHTS_LEARNING_RATE).toBeLessThan(ADAPTER_LEARNING_RATE);
    expect(resolvePolicy(mechanismPolicy('whole'))).toMatchObject({ adapter: 'none', trainable: 'all', learningRate: WEIGHTS_LEARNING_RATE });
    expect(resolvePolicy(mechanismPolicy('lastBlock'))).toMatchObject({ adapter: 'none', trainable: 'last-block', learningRate: WEIGHTS_LEARNING_RATE });
    expect(resolvePolicy(mechanismPolicy('lora'))).toMatchObject({ adapter: 'lora', learningRate: ADAPTER_LEARNING_RATE });
    expect(mechanismOf(resolvePolicy())).toBe('lora');
  });
});
