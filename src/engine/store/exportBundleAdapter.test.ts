import { describe, expect, it } from 'vitest';
import { LocalRecError } from '../errors';
import { adapterShapes, type StoredAdapter } from '../train/adapters';
import { makeBundle, validateBundle } from './exportBundle';
import { DEFAULT_SETTINGS, type StoredCheckpoint } from './localStore';

const cfg = { dim: 4, ffnDim: 6, blocks: 1 } as Parameters<typeof adapterShapes>[0];
const target = {
  numItems: 10, modelId: 'm@1',
  weightSizes: new Map([['final_ln_g', 4], ['final_ln_b', 4]]),
  adapterShapes: (kind: StoredAdapter['kind'], rank: number) => adapterShapes(cfg, kind, rank),
};
const filled = (kind: StoredAdapter['kind'], rank: number): StoredAdapter => ({
  kind, rank,
  tensors: Object.fromEntries([...adapterShapes(cfg, kind, rank)].map(([n, s], k) => [n, Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => (i - k) / 8)])),
});
const withAdapter = (a: StoredAdapter): StoredCheckpoint => ({
  modelId: 'm@1', steps: 3, updatedAt: 5, trainedEvents: 9, weights: {},
  optimizer: { step: 3, m: Object.fromEntries(Object.entries(a.tensors).map(([n, t]) => [n, t.map((x) => x / 2)])), v: Object.fromEntries(Object.entries(a.tensors).map(([n, t]) => [n, t.map((x) => x * x)])) },
  adapter: a,
});

function problems(raw: unknown, t: Parameters<typeof validateBundle>[1] = target): string {
  try {
    validateBundle(raw, t);
  } catch (e) {
    expect(e).toBeInstanceOf(LocalRecError);
    expect((e as LocalRecError).code).toBe('IMPORT_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected IMPORT_INVALID');
}

describe('export bundle with a per-person adapter', () => {
  it.each([['lora', 2], ['bias', 0], ['userEmbedding', 0]] as const)('round-trips a %s adapter and its optimizer moments bit-exactly', (kind, rank) => {
    const c = withAdapter(filled(kind, rank));
    const bundle = makeBundle('tiny', [{ itemId: 2, type: 'like', at: 1 }], DEFAULT_SETTINGS, c, 7);
    const v = validateBundle(JSON.parse(JSON.stringify(bundle)), target);
    expect(v.checkpoint).toEqual(c);
    expect(makeBundle('tiny', v.events, v.settings, v.checkpoint, 7)).toEqual(bundle);
  });

  it('an old bundle (no adapter field, weights only) still imports as before', () => {
    const old = {
      format: 'localrec-export', version: 1, exportedAt: 1, model: 'tiny',
      events: [{ itemId: 1, type: 'view', at: 1 }], settings: { discover: 0.2 },
      checkpoint: { modelId: 'm@1', steps: 2, updatedAt: 3, trainedEvents: 1, weights: { final_ln_b: btoa(String.fromCharCode(...new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer))) }, optimizer: null },
    };
    const v = validateBundle(old, target);
    expect(v.checkpoint?.weights.final_ln_b).toEqual(Float32Array.from([1, 2, 3, 4]));
    expect(v.checkpoint?.adapter).toBeUndefined();
  });

  it('names what is wrong with an adapter, and nothing is imported', () => {
    const good = makeBundle('tiny', [], DEFAULT_SETTINGS, withAdapter(filled('lora', 2)), 1);
    const cp = good.checkpoint as NonNullable<typeof good.checkpoint>;
    const a = cp.adapter as NonNullable<typeof cp.adapter>;
    expect(problems({ ...good, checkpoint: { ...cp, adapter: { ...a, kind: 'prefix' } } })).toContain('is not an adapter kind');
    expect(problems({ ...good, checkpoint: { ...cp, adapter: { ...a, rank: 0 } } })).toContain('rank must be a whole number 1..64');
    // Rank 3 declared, rank-2 tensors given: every size is wrong.
    expect(problems({ ...good, checkpoint: { ...cp, adapter: { ...a, rank: 3 } } })).toMatch(/has 8 values, the model needs 12/);
    const { ['lora/block0/wq/a']: _dropped, ...rest } = a.tensors;
    expect(problems({ ...good, checkpoint: { ...cp, adapter: { ...a, tensors: rest }, optimizer: null } })).toContain('lacks lora/block0/wq/a');
    expect(problems({ ...good, checkpoint: { ...cp, adapter: { ...a, tensors: { ...a.tensors, extra: a.tensors['lora/block0/wq/a'] } } } })).toContain('"extra" is not a parameter');
    // An app that cannot load adapters refuses the file instead of dropping the adapter silently.
    expect(problems(good, { numItems: 10, modelId: 'm@1', weightSizes: target.weightSizes })).toContain('cannot load');
  });
});
