import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN, resolveTrainOptions } from './trainOptions';

describe('resolveTrainOptions', () => {
  it('fills defaults and keeps what the file sets', () => {
    expect(resolveTrainOptions(undefined)).toEqual(DEFAULT_TRAIN);
    const opts = resolveTrainOptions({ batchSize: 64, beta2: 0.999, epsilon: 1e-8, clipNorm: 0, loss: { kind: 'ce' } });
    expect(opts).toMatchObject({ batchSize: 64, beta2: 0.999, epsilon: 1e-8, clipNorm: 0, learningRate: DEFAULT_TRAIN.learningRate });
  });

  const bad: [string, unknown, RegExp][] = [
    ['a misspelt key', { betta2: 0.999 }, /unknown train option "betta2"; known options: .*beta2/],
    ['a string number', { learningRate: '0.001' }, /"learningRate" must be a number, got "0.001"/],
    ['a bad loss', { loss: 'ce' }, /"loss" must be a loss object/],
    ['beta2 of 1', { beta2: 1 }, /"beta2" must be in \(0, 1\)/],
    ['zero epsilon', { epsilon: 0 }, /"epsilon" must be > 0/],
    ['fractional batch', { batchSize: 12.5 }, /"batchSize" must be a positive integer/],
    ['not an object', [1], /"train" must be an object/],
  ];
  for (const [label, raw, message] of bad) {
    it(`rejects ${label}`, () => expect(() => resolveTrainOptions(raw)).toThrow(message));
  }
});
