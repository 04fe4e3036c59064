import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatherRows } from '../model/gatherRows';
import { matmul } from '../model/matmul';
import { padColumnBias, SasRec } from '../model/sasrec';
import { freeTiny, loadTinyWithPretrained } from '../testing/tinyModel';
import { rowTensors } from './finetuneData';
import { finetune, type FinetuneHistory } from './finetune';
import { resolvePolicy } from './finetunePolicy';
import { nextItemPart, type NextItemPart } from './finetuneRows';
import { partRows, partTeacher, TeacherCache } from './teacherCache';

// Exemplar rows of the tiny catalog (items 1..48, maxLen 16) of different lengths, one longer than the window.
const pool = [
  [33, 34, 35, 36, 37],
  [1, 2, 3, 4, 5, 6, 7],
  [45, 46],
  Array.from({ length: 21 }, (_, i) => 10 + i), // 21 items: the newest 16 are packed
  [9, 10, 11, 12],
  [40, 41, 42, 43, 44, 47, 48, 17, 18],
];

beforeAll(async () => {
  await tf.setBackend('wasm');
});

/** The per-run teacher, as fullObjective computes it: softmax of the part's logits under the model's weights. */
function teacherOf(model: SasRec, part: NextItemPart): tf.Tensor2D {
  return tf.tidy(() => {
    const t = rowTensors(part);
    const table = model.itemTable();
    const h = tf.reshape(model.encode(table, t.seqs, { training: false }), [t.rows * t.len, model.config.dim]) as tf.Tensor2D;
    const logits = tf.add(matmul(gatherRows(h, t.pos), table, false, true), padColumnBias(model.config.numItems + 1));
    return tf.softmax(logits) as tf.Tensor2D;
  });
}

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [(await a.data()) as Float32Array, (await b.data()) as Float32Array];
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

describe('TeacherCache', () => {
  it('keeps the most recently used rows up to maxRows, disposes what it drops, and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const cache = new TeacherCache(2);
    const a = tf.zeros([2, 3]) as tf.Tensor2D;
    cache.set('a', a);
    cache.set('b', tf.zeros([1, 3]) as tf.Tensor2D);
    expect(cache.get('a')).toBe(a); // a is now the most recent
    cache.set('c', tf.zeros([3, 3]) as tf.Tensor2D); // drops b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe((6 + 9) * 4);
    expect(a.isDisposed).toBe(false);
    cache.set('b', tf.zeros([1, 3]) as tf.Tensor2D); // drops a
    expect(a.isDisposed).toBe(true);
    const c2 = tf.ones([3, 3]) as tf.Tensor2D;
    cache.set('c', c2); // replaces (and disposes) the old c
    expect(cache.get('c')).toBe(c2);
    expect(cache.size).toBe(2);
    cache.dispose();
    expect(cache.size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    // A run that finishes after its owner went stores nothing.
    const late = tf.zeros([1, 3]) as tf.Tensor2D;
    cache.set('late', late);
    expect(late.isDisposed).toBe(true);
    expect(cache.size).toBe(0);
    expect(() => new TeacherCache(0)).toThrow(/maxRows/);
  });

  it('keys a row by its items, the window length and the catalog size', () => {
    const k = TeacherCache.keyOf([1, 2, 3], 16, 49);
    expect(TeacherCache.keyOf(Int32Array.from([1, 2, 3]), 16, 49)).toBe(k);
    expect(TeacherCache.keyOf([1, 2, 4], 16, 49)).not.toBe(k);
    expect(TeacherCache.keyOf([1, 2, 3], 8, 49)).not.toBe(k);
    expect(TeacherCache.keyOf([1, 2, 3], 16, 50)).not.toBe(k);
  });

  it('splits a packed part into rows: positions row-major, each row ascending, as nextItemPart lays them out', () => {
    const p = nextItemPart(pool, 16, () => 1);
    expect(p.len).toBe(16);
    const rows = partRows(p);
    expect(rows.map((r) => [...r.items])).toEqual(pool.map((r) => r.slice(-16)));
    expect(rows.map((r) => r.count)).toEqual(pool.map((r) => Math.min(r.length, 16) - 1));
    expect(rows.map((r) => r.first)).toEqual(rows.map((_, i) => rows.slice(0, i).reduce((a, r) => a + r.count, 0)));
    // Each position predicts the item after it, ascending within the row, rows in order.
    for (let k = 1; k < p.positions.length; k++) expect(p.positions[k]).toBeGreaterThan(p.positions[k - 1]);
    rows.forEach((r, i) => {
      for (let j = 0; j < r.count; j++) expect(p.targets[r.first + j]).toBe(r.items[j + 1]);
      expect(p.positions[r.first]).toBe(i * p.len + p.len - r.items.length);
    });
    // Any other layout is refused.
    const swapped = Int32Array.from(p.positions);
    [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
    expect(() => partRows({ ...p, positions: swapped })).toThrow(/partRows/);
    const rowsSwapped = Int32Array.from([...p.positions.subarray(4), ...p.positions.subarray(0, 4)]);
    expect(() => partRows({ ...p, positions: rowsSwapped })).toThrow(/partRows/);
    expect(() => partRows({ ...p, positions: p.positions.subarray(1) })).toThrow(/partRows/);
  });

  for (const positions of ['fromStart', 'fromEnd'] as const) {
    it(`a row's teacher alone equals the same row's inside a multi-row part, and the cached assembly the per-run teacher (positions ${positions})`, async () => {
      const x = loadTinyWithPretrained();
      const model = new SasRec({ ...x.model.config, positions }, x.model.weights);
      const cfg = model.config;
      const vocab = cfg.numItems + 1;
      const before = tf.memory().numTensors;
      const compute = (missing: NextItemPart) => teacherOf(model, missing);
      const full = nextItemPart(pool, cfg.maxLen, () => 1);
      const perRun = teacherOf(model, full);
      // Each row alone (packed to its own length) against its slice of the whole part (padded to 16).
      for (const r of partRows(full)) {
        const alone = teacherOf(model, nextItemPart([Array.from(r.items)], cfg.maxLen, () => 1));
        const inside = tf.slice(perRun, [r.first, 0], [r.count, vocab]);
        expect(await maxDiff(alone, inside)).toBeLessThanOrEqual(1e-5);
        tf.dispose([alone, inside]);
      }
      // A cache holding some rows (computed in a part of other rows, another packed length), the
      // rest computed now: the assembly equals the per-run teacher.
      const cache = new TeacherCache();
      const warm = partTeacher(nextItemPart([pool[4], pool[1], pool[2]], cfg.maxLen, () => 1), cache, cfg.maxLen, vocab, compute);
      expect([cache.hits, cache.misses, cache.size]).toEqual([0, 3, 3]);
      const mixed = partTeacher(full, cache, cfg.maxLen, vocab, compute);
      expect([cache.hits, cache.misses, cache.size]).toEqual([3, 6, 6]);
      expect(await maxDiff(mixed, perRun)).toBeLessThanOrEqual(1e-5);
      // Everything from the cache, in another row order.
      const order = [5, 0, 3, 2, 1, 4];
      const reordered = partTeacher(nextItemPart(order.map((i) => pool[i]), cfg.maxLen, () => 1), cache, cfg.maxLen, vocab, compute);
      expect([cache.hits, cache.misses]).toEqual([9, 6]);
      const expected = teacherOf(model, nextItemPart(order.map((i) => pool[i]), cfg.maxLen, () => 1));
      expect(await maxDiff(reordered, expected)).toBeLessThanOrEqual(1e-5);
      // A cache smaller than the part still assembles it (rows are stored after the assembly).
      const small = new TeacherCache(2);
      const fromSmall = partTeacher(full, small, cfg.maxLen, vocab, compute);
      expect(await maxDiff(fromSmall, perRun)).toBeLessThanOrEqual(1e-5);
      expect(small.size).toBe(2);
      tf.dispose([perRun, warm, mixed, reordered, expected, fromSmall]);
      expect(tf.memory().numTensors).toBe(before + cache.size + small.size);
      cache.dispose();
      small.dispose();
      expect(tf.memory().numTensors).toBe(before);
      freeTiny(x);
    });
  }

  it('gives fine-tuning the same result as computing the teachers per run, over runs reading different windows of the pool', async () => {
    const policy = resolvePolicy({ adapter: 'none', steps: 4, validateEvery: 2, learningRate: 0.01, tolerance: 100, replayRows: 3, replayWeight: 0.5 });
    const plain = loadTinyWithPretrained();
    const cached = loadTinyWithPretrained();
    const cache = new TeacherCache(pool.length);
    const tensors = tf.memory().numTensors;
    // History lengths 8..12: windows start at (7 x length) mod 6 = 2, 3, 4, 5, 0 of the pool.
    const seen = new Set<number>();
    let expectedMisses = 0;
    for (let length = 8; length <= 12; length++) {
      const window = Array.from({ length: 3 }, (_, i) => (length * 7 + i) % pool.length);
      expectedMisses += window.filter((i) => !seen.has(i)).length;
      window.forEach((i) => seen.add(i));
      const sequence = Array.from({ length }, (_, i) => 24 - (i % 8)); // Drama backwards (ids 24..17), repeated
      const history: FinetuneHistory = { sequence, weights: sequence.map(() => 1), disliked: [] };
      const a = await finetune({ model: plain.model, pretrained: plain.pretrained, history, policy, replay: pool });
      const b = await finetune({ model: cached.model, pretrained: cached.pretrained, history, policy, replay: pool, teachers: cache });
      expect(b.steps).toBe(a.steps);
      expect(b.ran).toBe(a.ran);
      expect(b.reason).toBe(a.reason);
      expect(a.steps).toBeGreaterThan(0);
      for (const [n, v] of plain.model.weights) expect(await maxDiff(v, cached.model.w(n))).toBeLessThanOrEqual(1e-6);
      expect(cache.misses).toBe(expectedMisses);
    }
    // 15 rows read over the runs: 6 computed once, 9 from the cache.
    expect([cache.misses, cache.hits, cache.size]).toEqual([6, 9, 6]);
    // Runs leave nothing behind but the cached rows.
    expect(tf.memory().numTensors).toBe(tensors + cache.size);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    freeTiny(plain);
    freeTiny(cached);
  });
});
