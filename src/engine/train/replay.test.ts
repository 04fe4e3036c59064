import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalRecError } from '../errors';
import { parseModel } from '../loading/parseModelFiles';
import type { SasRec } from '../model/sasrec';
import { tinyModelFile } from '../testing/tinyModelFetch';
import { generateReplay, validateReplay } from './replay';

function loadTiny(): SasRec {
  return parseModel(new Map(['model.json', 'weights.bin'].map((f) => [f, tinyModelFile(f).slice().buffer as ArrayBuffer])));
}

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('generateReplay', () => {
  it('is deterministic, gives distinct valid items and leaks no tensors', async () => {
    const model = loadTiny();
    const before = tf.memory().numTensors;
    const a = await generateReplay(model, { count: 6, length: 10, seed: 3, topK: 10 });
    const b = await generateReplay(model, { count: 6, length: 10, seed: 3, topK: 10 });
    const c = await generateReplay(model, { count: 6, length: 10, seed: 4, topK: 10 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const s of a) {
      expect(s).toHaveLength(10);
      expect(new Set(s).size).toBe(10);
      for (const id of s) expect(id >= 1 && id <= model.config.numItems).toBe(true);
    }
    model.dispose();
  });

  it('follows what the model learned: greedy sampling walks the planted rule (next id in the same genre)', async () => {
    const model = loadTiny();
    // Tiny world: 6 genres of 8 consecutive ids; people walk one genre in id order.
    const first = new Float32Array(model.config.numItems + 1);
    first[17] = 1;
    const [seq] = await generateReplay(model, { count: 1, length: 6, seed: 1, topK: 1, firstItemWeights: first });
    expect(seq).toEqual([17, 18, 19, 20, 21, 22]);
    model.dispose();
  });

  it('rejects a bad count or length', async () => {
    const model = loadTiny();
    await expect(generateReplay(model, { count: 0, length: 5, seed: 1, topK: 0 })).rejects.toThrow(LocalRecError);
    await expect(generateReplay(model, { count: 2, length: 1, seed: 1, topK: 0 })).rejects.toThrow(/length >= 2/);
    model.dispose();
  });
});

describe('validateReplay', () => {
  it('accepts a well-formed file and names what is wrong otherwise', () => {
    expect(validateReplay({ format: 'localrec-replay', version: 1, method: 'x', sequences: [[1, 2], [3]] }, 5)).toEqual([[1, 2], [3]]);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as LocalRecError).code, (e as Error).message];
      }
      return null;
    };
    expect(code(() => validateReplay({ format: 'other', version: 1, sequences: [] }, 5))?.[0]).toBe('MODEL_FORMAT');
    expect(code(() => validateReplay({ format: 'localrec-replay', version: 2, sequences: [] }, 5))?.[1]).toMatch(/unsupported version 2/);
    expect(code(() => validateReplay({ format: 'localrec-replay', version: 1, sequences: [[1, 9]] }, 5))?.[1]).toMatch(/sequences\[0\] must hold item ids 1\.\.5/);
    expect(code(() => validateReplay(null, 5))?.[1]).toMatch(/make:replay/);
  });
});
