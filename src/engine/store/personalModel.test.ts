import { describe, expect, it } from 'vitest';
import { personalModelOf } from './personalModel';
import type { StoredCheckpoint } from './schema';

const base: StoredCheckpoint = { modelId: 'm', steps: 8, updatedAt: 1, trainedEvents: 5, weights: {}, optimizer: null };

describe('personalModelOf', () => {
  it('is null without a checkpoint', () => {
    expect(personalModelOf(null)).toBeNull();
  });
  it('counts an adapter\'s tensors and its optimizer moments apart', () => {
    const c: StoredCheckpoint = {
      ...base,
      adapter: { kind: 'lora', rank: 4, tensors: { 'block0/wq/a': new Float32Array(512), 'block0/wq/b': new Float32Array(512) } },
      optimizer: { step: 8, m: { 'block0/wq/a': new Float32Array(512) }, v: { 'block0/wq/a': new Float32Array(512) } },
    };
    expect(personalModelOf(c)).toEqual({ kind: 'lora', rank: 4, bytes: 4096, optimizerBytes: 4096 });
    expect(personalModelOf({ ...c, adapter: { kind: 'bias', rank: 0, tensors: { 'bias/out': new Float32Array(128) } }, optimizer: null }))
      .toEqual({ kind: 'bias', rank: null, bytes: 512, optimizerBytes: 0 });
  });
  it('counts changed weights and stored item rows (ids and values)', () => {
    const c: StoredCheckpoint = {
      ...base,
      weights: { final_ln_b: new Float32Array(128) },
      sparse: { item_emb: { ids: Int32Array.from([3, 9]), values: new Float32Array(256) } },
      optimizer: { step: 2, m: { final_ln_b: new Float32Array(128) }, v: { final_ln_b: new Float32Array(128) }, rows: {} },
    };
    expect(personalModelOf(c)).toEqual({ kind: 'weights', rank: null, bytes: 512 + 8 + 1024, optimizerBytes: 1024 });
  });
});
