import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SasRecConfig } from '../model/config';
import { SasRec } from '../model/sasrec';
import { useBackend, type NodeBackend } from '../testing/backend';
import { maxAbsDiff, randomSequences, tinyConfig } from '../testing/fixtures';
import { modelFromArrays, readWeights, type WeightArrays } from '../testing/modelCopy';
import { nextItemBatch, type SequenceBatch } from './batches';
import type { LossSpec } from './losses';
import { Rng } from './rng';
import { lossAndGrads } from './trainStep';

interface LossAndGrads {
  loss: number;
  grads: Map<string, Float32Array>;
}

async function compute(backend: NodeBackend, cfg: SasRecConfig, weights: WeightArrays, batch: SequenceBatch, spec: LossSpec): Promise<LossAndGrads> {
  await useBackend(backend);
  const model = modelFromArrays(cfg, weights);
  const { loss, grads } = lossAndGrads(model, batch, spec, new Rng(99));
  const out: LossAndGrads = { loss: (await loss.data())[0], grads: new Map() };
  for (const [name, g] of grads) out.grads.set(name, (await g.data()) as Float32Array);
  tf.dispose([loss, ...grads.values()]);
  model.dispose();
  return out;
}

/** Worst absolute difference over the loss and every gradient entry. */
function worstDiff(a: LossAndGrads, b: LossAndGrads): { diff: number; where: string } {
  let diff = Math.abs(a.loss - b.loss);
  let where = 'loss';
  for (const [name, g] of a.grads) {
    const other = b.grads.get(name);
    if (!other) return { diff: Infinity, where: `${name} missing` };
    const d = maxAbsDiff(g, other);
    if (d > diff) { diff = d; where = name; }
  }
  return { diff, where };
}

describe('wasm equals cpu: loss and gradients of a small model', () => {
  const cfg = tinyConfig({ numItems: 40, maxLen: 12, dim: 16, heads: 2, blocks: 2, ffnDim: 32 });
  const batch = nextItemBatch(randomSequences({ numItems: 40, numUsers: 6, minLen: 3, maxLen: 14, seed: 5 }), cfg.maxLen);
  let weights: WeightArrays;

  beforeAll(async () => {
    await useBackend('cpu');
    const m = SasRec.create(cfg, 11);
    weights = await readWeights(m);
    m.dispose();
  });

  const specs: [string, LossSpec][] = [
    ['full softmax cross-entropy', { kind: 'ce' }],
    ['sampled softmax with logQ', { kind: 'sampled', numNegatives: 16 }],
    ['bce with one negative', { kind: 'bce' }],
  ];
  for (const [label, spec] of specs) {
    it(label, async () => {
      const cpu = await compute('cpu', cfg, weights, batch, spec);
      const wasm = await compute('wasm', cfg, weights, batch, spec);
      expect(cpu.loss).toBeGreaterThan(0);
      // Every parameter gets a gradient, including the embedding (gatherRows' scatterND path).
      expect(cpu.grads.size).toBe(weights.size);
      expect(wasm.grads.size).toBe(weights.size);
      let embGradNorm = 0;
      for (const v of cpu.grads.get('item_emb') ?? []) embGradNorm += v * v;
      expect(embGradNorm).toBeGreaterThan(0);
      const { diff, where } = worstDiff(cpu, wasm);
      expect(diff, `largest difference at ${where}`).toBeLessThan(1e-5);
    });
  }

  it('positions counted from the start of the window (cumsum + gathered positions)', async () => {
    const startCfg: SasRecConfig = { ...cfg, positions: 'fromStart' };
    const cpu = await compute('cpu', startCfg, weights, batch, { kind: 'ce' });
    const wasm = await compute('wasm', startCfg, weights, batch, { kind: 'ce' });
    let posGradNorm = 0;
    for (const v of cpu.grads.get('pos_emb') ?? []) posGradNorm += v * v;
    expect(posGradNorm).toBeGreaterThan(0);
    const { diff, where } = worstDiff(cpu, wasm);
    expect(diff, `largest difference at ${where}`).toBeLessThan(1e-5);
  });

  it("the original SASRec block layout (keys and values from the un-normalised stream)", async () => {
    const sasrecCfg: SasRecConfig = { ...cfg, block: 'sasrec', positions: 'fromStart' };
    const cpu = await compute('cpu', sasrecCfg, weights, batch, { kind: 'ce' });
    const wasm = await compute('wasm', sasrecCfg, weights, batch, { kind: 'ce' });
    expect(cpu.grads.size).toBe(weights.size);
    const { diff, where } = worstDiff(cpu, wasm);
    expect(diff, `largest difference at ${where}`).toBeLessThan(1e-5);
  });

  it('seeded dropout draws the same masks on both backends', async () => {
    const dropCfg = { ...cfg, dropout: 0.3 };
    const cpu = await compute('cpu', dropCfg, weights, batch, { kind: 'ce' });
    const wasm = await compute('wasm', dropCfg, weights, batch, { kind: 'ce' });
    const noDrop = await compute('cpu', cfg, weights, batch, { kind: 'ce' });
    expect(Math.abs(cpu.loss - noDrop.loss)).toBeGreaterThan(1e-4); // dropout really is on
    const { diff, where } = worstDiff(cpu, wasm);
    expect(diff, `largest difference at ${where}`).toBeLessThan(1e-5);
  });
});
