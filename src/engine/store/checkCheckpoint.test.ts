import { describe, expect, it } from 'vitest';
import { adapterShapes, type AdapterKind } from '../train/adapters';
import { checkCheckpoint } from './checkCheckpoint';

const sizes = new Map([['a', 3], ['b', 2]]);
const good = () => ({
  modelId: 'm@1', steps: 4, updatedAt: 10, trainedEvents: 6,
  weights: { a: Float32Array.from([1, 2, 3]) },
  optimizer: { step: 4, m: { a: new Float32Array(3) }, v: { a: new Float32Array(3) } },
});

describe('checkCheckpoint', () => {
  it('accepts an intact checkpoint of this model; none and other models are told apart from damage', () => {
    expect(checkCheckpoint(good(), 'm@1', sizes)).toEqual({ kind: 'ok', checkpoint: good() });
    expect(checkCheckpoint({ ...good(), optimizer: null }, 'm@1', sizes).kind).toBe('ok');
    expect(checkCheckpoint(null, 'm@1', sizes)).toEqual({ kind: 'none' });
    expect(checkCheckpoint(undefined, 'm@1', sizes)).toEqual({ kind: 'none' });
    expect(checkCheckpoint({ ...good(), modelId: 'm@2' }, 'm@1', sizes)).toEqual({ kind: 'foreign', modelId: 'm@2' });
  });

  it('names what is damaged', () => {
    const damaged = (raw: unknown) => {
      const c = checkCheckpoint(raw, 'm@1', sizes);
      return c.kind === 'damaged' ? c.problem : `not damaged: ${c.kind}`;
    };
    expect(damaged([1, 2])).toBe('the record is not an object');
    expect(damaged({ ...good(), modelId: 7 })).toBe('it names no model');
    expect(damaged({ ...good(), steps: -1 })).toMatch(/not valid numbers/);
    expect(damaged({ ...good(), updatedAt: Number.NaN })).toMatch(/not valid numbers/);
    expect(damaged({ ...good(), weights: null })).toBe('weights is not a set of arrays');
    expect(damaged({ ...good(), weights: { a: [1, 2, 3] } })).toBe('weights.a is not float32 data');
    expect(damaged({ ...good(), weights: { a: new Float32Array(2) } })).toBe('weights.a has 2 values, the model needs 3');
    expect(damaged({ ...good(), weights: { a: Float32Array.from([1, Infinity, 3]) } })).toBe('weights.a contains NaN or infinite values');
    expect(damaged({ ...good(), weights: { zzz: new Float32Array(3) } })).toBe('weights has "zzz", which is not a parameter of this model');
    expect(damaged({ ...good(), optimizer: { step: 1, m: {}, v: { b: new Float32Array(5) } } })).toBe('optimizer.v.b has 5 values, the model needs 2');
    expect(damaged({ ...good(), optimizer: 'x' })).toBe('the optimizer state is not valid');
    expect(damaged({ ...good(), optimizer: undefined })).toBe('the optimizer state is not valid');
  });

  describe('row-stored parameters (large catalogs)', () => {
    // "t" is a 4 x 2 table stored by rows.
    const shapes = new Map([['t', 8], ['a', 3]]);
    const rows = new Map([['t', 4]]);
    const sparse = () => ({
      modelId: 'm@1', steps: 2, updatedAt: 10, trainedEvents: 6,
      weights: { a: Float32Array.from([1, 2, 3]) },
      sparse: { t: { ids: Int32Array.from([1, 3]), values: Float32Array.from([1, 2, 3, 4]) } },
      optimizer: { step: 2, m: { a: new Float32Array(3) }, v: { a: new Float32Array(3) }, rows: { t: { ids: Int32Array.from([1, 3]), m: new Float32Array(4), v: new Float32Array(4) } } },
    });
    const damaged = (raw: unknown) => {
      const c = checkCheckpoint(raw, 'm@1', shapes, { weightRows: rows });
      return c.kind === 'damaged' ? c.problem : `not damaged: ${c.kind}`;
    };

    it('accepts sound rows; old dense checkpoints still pass', () => {
      expect(checkCheckpoint(sparse(), 'm@1', shapes, { weightRows: rows })).toEqual({ kind: 'ok', checkpoint: sparse() });
      expect(checkCheckpoint({ ...sparse(), sparse: undefined }, 'm@1', shapes, { weightRows: rows }).kind).toBe('ok');
      expect(checkCheckpoint({ ...sparse(), sparse: { t: { ids: new Int32Array(0), values: new Float32Array(0) } } }, 'm@1', shapes, { weightRows: rows }).kind).toBe('ok');
    });

    it('names damaged rows', () => {
      const withRows = (t: unknown) => ({ ...sparse(), sparse: { t } });
      expect(damaged(withRows({ ids: [1], values: Float32Array.from([1, 2]) }))).toBe('sparse.t.ids is not int32 data');
      expect(damaged(withRows({ ids: Int32Array.from([4]), values: Float32Array.from([1, 2]) }))).toBe('sparse.t.ids has row 4, outside 0..3');
      expect(damaged(withRows({ ids: Int32Array.from([2, 2]), values: new Float32Array(4) }))).toBe('sparse.t.ids are not strictly increasing');
      expect(damaged(withRows({ ids: Int32Array.from([1, 2]), values: new Float32Array(3) }))).toBe('sparse.t.values has 3 values for 2 rows of 2');
      expect(damaged(withRows({ ids: Int32Array.from([1]), values: Float32Array.from([1, Number.NaN]) }))).toBe('sparse.t.values contains NaN or infinite values');
      expect(damaged({ ...sparse(), sparse: { a: { ids: new Int32Array(0), values: new Float32Array(0) } } })).toBe('sparse has "a", which is not a row-stored parameter of this model');
      expect(damaged({ ...sparse(), weights: { t: new Float32Array(8) } })).toBe('"t" is stored both whole and by rows');
      const opt = sparse().optimizer;
      expect(damaged({ ...sparse(), optimizer: { ...opt, rows: { t: { ids: Int32Array.from([1, 3]), m: new Float32Array(4), v: new Float32Array(2) } } } })).toBe('optimizer.rows.t.v has 2 values for 2 rows of 2');
      // Without row counts (a model whose parameters are all dense) rows are never accepted.
      const c = checkCheckpoint(sparse(), 'm@1', shapes);
      expect(c.kind).toBe('damaged');
    });
  });
});

describe('checkCheckpoint with a per-person adapter', () => {
  const cfg = { dim: 4, ffnDim: 6, blocks: 1 } as Parameters<typeof adapterShapes>[0];
  const shapesOf = (kind: AdapterKind, rank: number) => adapterShapes(cfg, kind, rank);
  const lnSizes = new Map([['final_ln_g', 4], ['final_ln_b', 4]]);
  const adapter = (kind: AdapterKind, rank: number) => ({
    kind, rank,
    tensors: Object.fromEntries([...shapesOf(kind, rank)].map(([n, s]) => [n, Float32Array.from({ length: s[0] * (s[1] ?? 1) }, (_, i) => i / 10)])),
  });
  /** As finetune stores it: no weights, the adapter, Adam moments named after the adapter's tensors. */
  const stored = (kind: AdapterKind, rank: number) => {
    const a = adapter(kind, rank);
    return { modelId: 'm@1', steps: 2, updatedAt: 3, trainedEvents: 5, weights: {}, optimizer: { step: 2, m: a.tensors, v: a.tensors }, adapter: a };
  };
  const check = (raw: unknown) => checkCheckpoint(raw, 'm@1', lnSizes, { adapterShapes: shapesOf });
  const damaged = (raw: unknown) => {
    const c = check(raw);
    return c.kind === 'damaged' ? c.problem : `not damaged: ${c.kind}`;
  };

  it.each([['lora', 2], ['bias', 0], ['userEmbedding', 0]] as const)('accepts an intact %s adapter with its optimizer moments', (kind, rank) => {
    expect(check(stored(kind, rank))).toEqual({ kind: 'ok', checkpoint: stored(kind, rank) });
    expect(check({ ...stored(kind, rank), optimizer: null }).kind).toBe('ok');
  });

  it('checkpoints stored before adapters (no adapter field) keep loading, with or without the shapes', () => {
    const old = { modelId: 'm@1', steps: 1, updatedAt: 1, trainedEvents: 1, weights: { final_ln_b: new Float32Array(4) }, optimizer: null };
    expect(check(old)).toEqual({ kind: 'ok', checkpoint: old });
    expect(checkCheckpoint(old, 'm@1', lnSizes).kind).toBe('ok');
  });

  it('a damaged adapter is damaged like damaged weights, and says what is wrong', () => {
    const lora = stored('lora', 2);
    const a = lora.adapter;
    const first = Object.keys(a.tensors)[0];
    expect(damaged({ ...lora, adapter: null })).toBe('the adapter is not an object');
    expect(damaged({ ...lora, adapter: { ...a, kind: 'prefix' } })).toMatch(/adapter kind "prefix" is not one of/);
    expect(damaged({ ...lora, adapter: { ...a, rank: 0 } })).toMatch(/adapter rank is not a whole number 1\.\.64/);
    expect(damaged({ ...lora, adapter: { ...a, rank: 1.5 } })).toMatch(/adapter rank/);
    expect(damaged({ ...lora, adapter: { ...a, rank: 3 } })).toMatch(/lora adapter does not fit this model: ".*" has \d+ values, needs \d+/);
    expect(damaged({ ...lora, adapter: { ...a, tensors: null } })).toBe('adapter.tensors is not a set of arrays');
    expect(damaged({ ...lora, adapter: { ...a, tensors: { ...a.tensors, [first]: [1, 2] } } })).toBe(`adapter.tensors.${first} is not float32 data`);
    const { [first]: _gone, ...rest } = a.tensors;
    expect(damaged({ ...lora, adapter: { ...a, tensors: rest } })).toBe(`the lora adapter does not fit this model: "${first}" is missing`);
    const nan = Float32Array.from(a.tensors[first]);
    nan[1] = Number.NaN;
    expect(damaged({ ...lora, adapter: { ...a, tensors: { ...a.tensors, [first]: nan } } })).toBe(`the lora adapter does not fit this model: "${first}" contains NaN or infinite values`);
    expect(damaged({ ...lora, adapter: { ...a, tensors: { ...a.tensors, extra: new Float32Array(1) } } })).toMatch(/unknown tensor\(s\) extra/);
    // Moments of tensors this adapter does not have are damage too.
    expect(damaged({ ...lora, optimizer: { step: 1, m: { 'bias/out': new Float32Array(4) }, v: {} } })).toMatch(/optimizer\.m has "bias\/out", which is not a parameter/);
    expect(damaged({ ...stored('bias', 0), optimizer: { step: 1, m: { 'bias/out': new Float32Array(3) }, v: {} } })).toBe('optimizer.m.bias/out has 3 values, the model needs 4');
    // An engine that cannot check adapters does not use one.
    expect(checkCheckpoint(lora, 'm@1', lnSizes).kind).toBe('damaged');
  });
});
