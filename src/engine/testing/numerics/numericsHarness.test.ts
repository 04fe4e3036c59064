import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SasRec } from '../../model/sasrec';
import { useBackend } from '../backend';
import { tinyConfig } from '../fixtures';
import { caseFromModel } from './numericsCases';
import { mostRepeatedItem, runNumerics } from './numericsHarness';
import { adaptedWeights, adapterShapes } from '../../train/adapters';
import { NUMERICS_LORA_RANK, type NumericsCase } from './numericsRun';

/** WebGPU needs a browser (e2e/numerics.spec.ts); here the same harness compares WASM with the CPU. */
const activate = async (b: 'cpu' | 'wasm' | 'webgpu'): Promise<null> => {
  if (b === 'webgpu') throw new Error('no WebGPU in Node');
  await useBackend(b);
  return null;
};

describe('numerics harness (cpu vs wasm in Node)', () => {
  let c: NumericsCase;

  beforeAll(async () => {
    await useBackend('cpu');
    const cfg = tinyConfig({ numItems: 30, maxLen: 12, numFeatures: 5, positions: 'fromStart', block: 'sasrec', dropout: 0.2 });
    const feats = tf.tidy(() => tf.concat([tf.zeros([1, 5]), tf.randomUniform([30, 5], 0, 1, 'float32', 4)]) as tf.Tensor2D);
    const model = SasRec.create(cfg, 21, feats);
    c = await caseFromModel('generated', model, { seqLen: 9, rows: 5, seed: 2 });
    model.dispose();
  });

  it('builds histories that repeat items inside rows and across rows', () => {
    expect(mostRepeatedItem(c).count).toBeGreaterThanOrEqual(2 * c.sequences.length);
    for (const s of c.sequences) expect(new Set(s).size).toBeLessThan(s.length);
    expect(c.config.dropout).toBe(0);
  });

  it('wasm agrees with cpu on every entry, the op checks match exact sums, nothing leaks', async () => {
    const report = await runNumerics({ cases: [c], backends: ['wasm'], activate });
    const failures = report.results.map((r) => r.failures).filter(Boolean).join('\n');
    expect(failures).toBe('');
    expect(report.passed).toBe(true);
    const wasm = report.results.find((r) => r.backend === 'wasm' && r.case === 'generated');
    // forward, 3 losses x (1 + every weight), an Adam step and a fine-tuning step of every weight,
    // and a LoRA step: its loss, every adapter tensor and every weight it merges into.
    const weights = c.weights.size;
    const lora = 1 + adapterShapes(c.config, 'lora', NUMERICS_LORA_RANK).size + adaptedWeights(c.config, 'lora').length;
    expect(wasm?.entries).toBe(1 + 3 * (1 + weights) + weights + 1 + weights + lora);
    expect(Object.keys(wasm?.worst ?? {}).sort()).toEqual(['adam', 'bce', 'ce', 'finetune', 'forward', 'lora', 'lora-merge', 'loss', 'sampled']);
    // WASM has no UnsortedSegmentSum kernel: tf.gather's gradient and the op are reported, not compared.
    expect(report.unsupported.filter((u) => u.backend === 'wasm').map((u) => u.entry).sort())
      .toEqual(['op/gather-grad (unsortedSegmentSum)', 'op/unsortedSegmentSum']);
    expect(report.unsupported.filter((u) => u.backend === 'cpu')).toEqual([]);
  });

  it('trips when one backend loses duplicate contributions to the embedding gradient', async () => {
    const report = await runNumerics({ cases: [c], backends: ['wasm'], activate, corrupt: { backend: 'wasm', case: 'generated' } });
    const wasm = report.results.find((r) => r.backend === 'wasm' && r.case === 'generated');
    expect(wasm?.passed).toBe(false);
    expect(wasm?.failures).toMatch(/^ce\/grad\/item_emb: \d+ element/);
    expect(wasm?.failures.split('\n')).toHaveLength(1);
    expect(report.passed).toBe(false);
  });
});
