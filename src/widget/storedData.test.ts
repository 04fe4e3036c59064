import { describe, expect, it } from 'vitest';
import { storedSummary } from './storedData';

describe('storedSummary (the widget privacy menu)', () => {
  it('counts interactions and names the personal model with its size', () => {
    expect(storedSummary({ interactions: 1, personalModel: null, fineTuneSteps: 0 })).toBe('1 interaction');
    expect(storedSummary({ interactions: 12, personalModel: { kind: 'lora', rank: 4, bytes: 24576, optimizerBytes: 49152 }, fineTuneSteps: 16 }))
      .toBe('12 interactions, a personal adapter learned from them (72 KB, 16 steps)');
    expect(storedSummary({ interactions: 6, personalModel: { kind: 'weights', rank: null, bytes: 3 * 1024 * 1024, optimizerBytes: 0 }, fineTuneSteps: 8 }))
      .toBe('6 interactions, a model fine-tuned on them (3072 KB, 8 steps)');
  });
});
