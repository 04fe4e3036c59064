import { describe, expect, it } from 'vitest';
import { describePersonalModel, formatBytes } from './personalModelText';

describe('describePersonalModel', () => {
  it('says when there is none', () => {
    expect(describePersonalModel(null)).toBe('none, using the pretrained model');
    expect(describePersonalModel({ personalModel: null, fineTuneSteps: 0 })).toBe('none, using the pretrained model');
  });
  it('names the kind, rank, size and optimizer state', () => {
    expect(describePersonalModel({ personalModel: { kind: 'lora', rank: 4, bytes: 24576, optimizerBytes: 49152 }, fineTuneSteps: 16 }))
      .toBe('a personal LoRA adapter (rank 4), 24.0 KB, plus 48.0 KB of optimizer state; 16 training steps');
    expect(describePersonalModel({ personalModel: { kind: 'weights', rank: null, bytes: 3.1 * 1024 * 1024, optimizerBytes: 0 }, fineTuneSteps: 8 }))
      .toBe('fine-tuned model weights, 3.1 MB; 8 training steps');
  });
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(24576)).toBe('24.0 KB');
  });
});
