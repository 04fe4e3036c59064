import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { freeTiny, loadTinyWithPretrained } from '../testing/tinyModel';
import { finetune, type FinetuneHistory } from './finetune';
import { resolvePolicy } from './finetunePolicy';
import { TeacherCache } from './teacherCache';

const history: FinetuneHistory = { sequence: [24, 23, 22, 21, 20, 19, 18, 17], weights: [1, 1, 1, 1, 1, 1, 1, 1], disliked: [] };
// Replay exemplars of the tiny catalog: two runs with replayRows 2 read different windows of them.
const replay = [[1, 2, 3, 4, 5], [9, 10, 11, 12], [17, 18, 19, 20, 21], [25, 26, 27, 28]];

beforeAll(async () => {
  await tf.setBackend('wasm');
});

describe('TeacherCache', () => {
  it('keeps the most recently used entries, disposes what it drops, and counts hits', () => {
    const before = tf.memory().numTensors;
    const cache = new TeacherCache(2);
    let made = 0;
    const make = () => { made++; return tf.zeros([2, 3]) as tf.Tensor2D; };
    const a = cache.get('a', make);
    cache.get('b', make);
    expect(cache.get('a', make)).toBe(a); // a is now the most recent
    cache.get('c', make); // drops b
    expect(made).toBe(3);
    expect(cache.size).toBe(2);
    expect(cache.hits).toBe(1);
    expect(a.isDisposed).toBe(false);
    cache.get('b', make); // made again, drops a
    expect(made).toBe(4);
    expect(a.isDisposed).toBe(true);
    cache.dispose();
    expect(cache.size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keys rows by their ids, target positions and catalog size', () => {
    const part = { data: Int32Array.from([0, 1, 2]), len: 3, positions: Int32Array.from([1, 2]) };
    expect(TeacherCache.keyOf(part, 10)).toBe(TeacherCache.keyOf({ ...part, data: Int32Array.from([0, 1, 2]) }, 10));
    expect(TeacherCache.keyOf(part, 10)).not.toBe(TeacherCache.keyOf({ ...part, data: Int32Array.from([0, 1, 3]) }, 10));
    expect(TeacherCache.keyOf(part, 10)).not.toBe(TeacherCache.keyOf({ ...part, positions: Int32Array.from([2]) }, 10));
    expect(TeacherCache.keyOf(part, 10)).not.toBe(TeacherCache.keyOf(part, 11));
    expect(() => new TeacherCache(0)).toThrow(/capacity/);
  });

  it('gives fine-tuning the same result as computing the teachers per run, and later runs hit it', async () => {
    const policy = resolvePolicy({ steps: 4, learningRate: 0.01, tolerance: 100, replayRows: 2, replayWeight: 0.5 });
    const plain = loadTinyWithPretrained();
    const cached = loadTinyWithPretrained();
    const cache = new TeacherCache();
    const tensors = tf.memory().numTensors;
    for (let run = 0; run < 3; run++) {
      const a = await finetune({ model: plain.model, pretrained: plain.pretrained, history, policy, replay });
      const b = await finetune({ model: cached.model, pretrained: cached.pretrained, history, policy, replay, teachers: cache });
      expect(b.steps).toBe(a.steps);
      expect(b.valAfter).toBeCloseTo(a.valAfter as number, 6);
      const wa = (await plain.model.w('item_emb').data()) as Float32Array;
      const wb = (await cached.model.w('item_emb').data()) as Float32Array;
      let diff = 0;
      for (let i = 0; i < wa.length; i++) diff = Math.max(diff, Math.abs(wa[i] - wb[i]));
      expect(diff).toBeLessThan(1e-6);
    }
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.hits).toBeGreaterThan(0);
    // Runs leave nothing behind but what the cache holds.
    expect(tf.memory().numTensors).toBe(tensors + cache.size);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    freeTiny(plain);
    freeTiny(cached);
  });
});
