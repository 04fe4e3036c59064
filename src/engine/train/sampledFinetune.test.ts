import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../loading/parseModelFiles';
import { resolveConfig } from '../model/config';
import { SasRec } from '../model/sasrec';
import { tinyModelFile } from '../testing/tinyModelFetch';
import { finetune, type FinetuneHistory } from './finetune';
import { DEFAULT_FINETUNE_POLICY, resolvePolicy } from './finetunePolicy';
import { SAMPLED_SOFTMAX_ABOVE, softmaxFor } from './softmaxChoice';

interface Loaded { model: SasRec; pretrained: Map<string, tf.Tensor> }

function withPretrained(model: SasRec): Loaded {
  return { model, pretrained: new Map([...model.weights].map(([n, v]) => [n, tf.clone(v)])) };
}
function loadTiny(): Loaded {
  const files = new Map(['model.json', 'weights.bin'].map((f) => [f, tinyModelFile(f).slice().buffer as ArrayBuffer]));
  return withPretrained(parseModel(files));
}
function free(x: Loaded) {
  x.model.dispose();
  for (const t of x.pretrained.values()) t.dispose();
}
async function values(model: SasRec, name: string): Promise<Float32Array> {
  return (await model.w(name).data()) as Float32Array;
}
/** Row ids where two [rows, dim] arrays differ. */
function changedRows(a: Float32Array, b: Float32Array, dim: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < a.length / dim; r++) {
    for (let c = 0; c < dim; c++) if (a[r * dim + c] !== b[r * dim + c]) { out.push(r); break; }
  }
  return out;
}

// A person who walks Drama (ids 17..24) backwards: the pretrained rule says forwards.
const backwards: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19, 18, 17], weights: [1, 1, 1, 1, 1, 1, 1, 1], disliked: [] };
// The model's own weights (the sampled adapter runs: sampledCombined.test.ts).
const sampled = (o: Parameters<typeof resolvePolicy>[0] = {}) => resolvePolicy({ adapter: 'none', softmax: 'sampled', sampledNegatives: 12, ...o });

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('finetune with sampled softmax (large catalogs)', () => {
  it('the policy picks sampled softmax above the measured catalog size, full below, and obeys an explicit choice', () => {
    expect(DEFAULT_FINETUNE_POLICY.softmax).toBe('auto');
    expect(softmaxFor(DEFAULT_FINETUNE_POLICY, SAMPLED_SOFTMAX_ABOVE)).toBe('full');
    expect(softmaxFor(DEFAULT_FINETUNE_POLICY, SAMPLED_SOFTMAX_ABOVE + 1)).toBe('sampled');
    expect(softmaxFor({ softmax: 'full' }, 10 * SAMPLED_SOFTMAX_ABOVE)).toBe('full');
    expect(softmaxFor({ softmax: 'sampled' }, 10)).toBe('sampled');
    expect(() => resolvePolicy({ softmax: 'some' as 'auto' })).toThrow(/softmax/);
    expect(() => resolvePolicy({ sampledNegatives: 0 })).toThrow(/sampledNegatives/);
  });

  it('learns the personal pattern, changes only the rows it trained, and leaks nothing', async () => {
    const x = loadTiny();
    const before = await values(x.model, 'item_emb');
    const tensors = tf.memory().numTensors;
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: sampled({ steps: 12, learningRate: 0.01, maxDrift: 0.2, tolerance: 0 }) });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.softmax).toBe('sampled');
    expect(r.accepted).toBe(true);
    expect(r.valAfter as number).toBeLessThan(r.valBefore as number);
    // item_emb moments are stored by rows, for the rows of the run only (no dense moments).
    const rows = r.optimizerState?.rows?.item_emb;
    expect(rows).toBeDefined();
    expect(r.optimizerState?.m.item_emb).toBeUndefined();
    const dim = x.model.config.dim;
    expect(rows?.m.length).toBe((rows?.ids.length ?? 0) * dim);
    const changed = changedRows(before, await values(x.model, 'item_emb'), dim);
    expect(changed.length).toBeGreaterThan(0);
    const runRows = new Set(rows?.ids);
    for (const id of changed) expect(runRows.has(id)).toBe(true);
    for (const id of backwards.sequence) expect(runRows.has(id)).toBe(true);
    expect(runRows.has(0)).toBe(false);
    free(x);
  });

  it('with item_emb frozen (last-block) it trains the rest and leaves the item table alone', async () => {
    const x = loadTiny();
    const before = await values(x.model, 'item_emb');
    const tensors = tf.memory().numTensors;
    const r = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy: sampled({ steps: 6, learningRate: 0.01, tolerance: 100, trainable: 'last-block' }) });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.accepted).toBe(true);
    expect(r.optimizerState?.rows).toBeUndefined();
    expect(await values(x.model, 'item_emb')).toEqual(before);
    free(x);
  });

  it('is deterministic: the same input gives the same weights', async () => {
    const history: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19], weights: [1, 0.6, 1, 0.5, 1, 1], disliked: [18, 3] };
    const policy = sampled({ steps: 4, validateEvery: 1, tolerance: 100, dislikeWeight: 0.5 });
    const run = async () => {
      const x = loadTiny();
      const r = await finetune({ model: x.model, pretrained: x.pretrained, history, policy, replay: [[1, 2, 3, 4], [9, 10, 11, 12, 13]] });
      const out = { r, e: await values(x.model, 'item_emb'), w: await values(x.model, 'block1/ffn_w1') };
      free(x);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a.r.accepted).toBe(true);
    expect(b.r.valAfter).toBe(a.r.valAfter);
    expect(b.e).toEqual(a.e);
    expect(b.w).toEqual(a.w);
  });

  it('the training loss goes down over the steps', async () => {
    const x = loadTiny();
    const losses: number[] = [];
    const policy = sampled({ steps: 12, learningRate: 0.02, maxDrift: 0, l2ToPretrained: 0, tolerance: 100, sampledNegatives: 24, replayRows: 0 });
    await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy, onStep: (_s, _of, loss) => losses.push(loss) });
    expect(losses).toHaveLength(12);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(losses.slice(-3))).toBeLessThan(0.7 * mean(losses.slice(0, 3)));
    free(x);
  });

  it('continues from a stored row state: moments of the earlier rows carry over, untouched rows stay pretrained', async () => {
    const x = loadTiny();
    const policy = sampled({ steps: 4, validateEvery: 2, tolerance: 100 });
    const first = await finetune({ model: x.model, pretrained: x.pretrained, history: backwards, policy });
    const firstRows = first.optimizerState?.rows?.item_emb?.ids ?? new Int32Array(0);
    const other: FinetuneHistory = { sequence: [1, 2, 3, 4, 5, 6], weights: [1, 1, 1, 1, 1, 1], disliked: [] };
    const second = await finetune({ model: x.model, pretrained: x.pretrained, history: other, policy, optimizerState: first.optimizerState });
    expect(second.accepted).toBe(true);
    const ids = new Set(second.optimizerState?.rows?.item_emb?.ids);
    for (const id of firstRows) expect(ids.has(id)).toBe(true);
    expect(second.optimizerState?.step).toBe(8);
    const pretrained = (await (x.pretrained.get('item_emb') as tf.Tensor).data()) as Float32Array;
    for (const id of changedRows(pretrained, await values(x.model, 'item_emb'), x.model.config.dim)) expect(ids.has(id)).toBe(true);
    free(x);
  });

  it('never forms a [positions, items] logits tensor (full softmax does)', async () => {
    // 4,000 items, dim 8, 6 content features: the item table [4001, 8] is far smaller than [positions, 4001].
    const config = resolveConfig({ numItems: 4000, maxLen: 40, dim: 8, blocks: 1, heads: 1, ffnDim: 8, dropout: 0, numFeatures: 6 });
    const features = Float32Array.from({ length: 4001 * 6 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const sequence = Array.from({ length: 30 }, (_, i) => 1 + ((i * 131) % 4000));
    const history: FinetuneHistory = { sequence, weights: sequence.map(() => 1), disliked: [77] };
    const largest = async (softmax: 'full' | 'sampled') => {
      const x = withPretrained(SasRec.create(config, 3, tf.tensor2d(features, [4001, 6])));
      const tensors = tf.memory().numTensors;
      const info = await tf.profile(async () => {
        await finetune({ model: x.model, pretrained: x.pretrained, history, policy: resolvePolicy({ softmax, steps: 2, dislikeWeight: 1, replayRows: 0 }) });
        return tf.scalar(0);
      });
      expect(tf.memory().numTensors).toBe(tensors + 1); // the profiled scalar
      free(x);
      return Math.max(...info.kernels.flatMap((k) => k.outputShapes.map((s) => s.reduce((a, b) => a * b, 1))));
    };
    const positions = sequence.length - 2; // one item held out, the first is never a target
    expect(await largest('full')).toBeGreaterThanOrEqual(positions * 4001);
    expect(await largest('sampled')).toBeLessThan(positions * 4001 / 2);
  });
});
