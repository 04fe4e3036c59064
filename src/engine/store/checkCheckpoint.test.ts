import { describe, expect, it } from 'vitest';
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
});
