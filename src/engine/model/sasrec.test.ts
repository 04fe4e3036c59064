import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/backend';
import { maxAbsDiff, tinyConfig } from '../testing/fixtures';
import { packSequences, SasRec } from './sasrec';

beforeAll(() => useBackend('cpu'));

describe('SasRec causality', () => {
  const cfg = tinyConfig({ numItems: 30, maxLen: 10, dim: 16, heads: 2, blocks: 2 });
  let model: SasRec;
  beforeAll(() => { model = SasRec.create(cfg, 7); });
  afterAll(() => model.dispose());

  async function hidden(seq: number[]): Promise<Float32Array> {
    const h = tf.tidy(() => model.encode(model.itemTable(), tf.tensor2d([seq], [1, seq.length], 'int32'), { training: false }));
    const out = (await h.data()) as Float32Array;
    h.dispose();
    return out;
  }

  it('changing a later item never changes the outputs at earlier positions', async () => {
    const base = [0, 0, 3, 9, 14, 2, 27, 5, 11, 8]; // right-aligned, two padding slots
    const d = cfg.dim;
    const h0 = await hidden(base);
    for (const changeAt of [3, 6, 9]) {
      const changed = [...base];
      changed[changeAt] = changed[changeAt] === 1 ? 2 : 1;
      const h1 = await hidden(changed);
      // Positions before the change: identical (masked keys contribute exactly zero weight).
      expect(maxAbsDiff(h0.subarray(0, changeAt * d), h1.subarray(0, changeAt * d))).toBe(0);
      // The changed position itself does see the new item.
      expect(maxAbsDiff(h0.subarray(changeAt * d, (changeAt + 1) * d), h1.subarray(changeAt * d, (changeAt + 1) * d))).toBeGreaterThan(1e-3);
    }
  });

  it('attention puts exactly zero weight on later positions and on padding', async () => {
    const attention: tf.Tensor4D[] = [];
    const h = tf.tidy(() => model.encode(model.itemTable(), tf.tensor2d([[0, 0, 3, 9, 14, 2, 27, 5, 11, 8]], [1, 10], 'int32'), { training: false, attention }));
    for (const probs of attention) {
      expect(probs.shape).toEqual([1, cfg.heads, 10, 10]);
      const p = (await probs.data()) as Float32Array;
      for (let head = 0; head < cfg.heads; head++) {
        for (let q = 2; q < 10; q++) {
          let sum = 0;
          for (let k = 0; k < 10; k++) {
            const w = p[(head * 10 + q) * 10 + k];
            if (k > q || k < 2) expect(w, `head ${head} query ${q} key ${k}`).toBe(0);
            sum += w;
          }
          expect(sum).toBeCloseTo(1, 5);
        }
      }
    }
    tf.dispose([h, ...attention]);
  });

  it('padding on the left does not change the last position', async () => {
    const short = await hidden([0, 0, 0, 0, 0, 0, 4, 5, 6, 7]);
    const d = cfg.dim;
    const h = tf.tidy(() => model.encode(model.itemTable(), tf.tensor2d([[4, 5, 6, 7]], [1, 4], 'int32'), { training: false }));
    const unpadded = (await h.data()) as Float32Array;
    h.dispose();
    expect(maxAbsDiff(short.subarray(9 * d), unpadded.subarray(3 * d))).toBeLessThan(1e-5);
  });

  it('scoreLast equals the last hidden state dotted with every item vector, padding column removed', async () => {
    const seq = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const h = await hidden(seq);
    const last = h.subarray(9 * cfg.dim);
    const tableT = model.itemTable();
    const table = (await tableT.data()) as Float32Array;
    tableT.dispose();
    const s = model.scoreLast(tf.tensor2d([seq], [1, 10], 'int32'));
    const scores = (await s.data()) as Float32Array;
    s.dispose();
    expect(scores.length).toBe(cfg.numItems + 1);
    expect(scores[0]).toBeLessThan(-1e8);
    for (const item of [1, 15, 30]) {
      let dot = 0;
      for (let k = 0; k < cfg.dim; k++) dot += last[k] * table[item * cfg.dim + k];
      expect(scores[item]).toBeCloseTo(dot, 4);
    }
  });
});

describe('SasRec positions counted from the start of the window', () => {
  const base = tinyConfig({ numItems: 30, maxLen: 10, dim: 16, heads: 2, blocks: 2 });
  async function hidden(model: SasRec, seq: number[]): Promise<Float32Array> {
    const h = tf.tidy(() => model.encode(model.itemTable(), tf.tensor2d([seq], [1, seq.length], 'int32'), { training: false }));
    const out = (await h.data()) as Float32Array;
    h.dispose();
    return out;
  }

  it('an item is at the same position whatever follows it; fromEnd shifts it', async () => {
    const d = base.dim;
    const start = SasRec.create({ ...base, positions: 'fromStart' }, 7);
    const end = SasRec.create(base, 7);
    // Same weights, different position counting: the first item of a 4-item history equals a
    // 1-item history only when positions count from the start.
    expect(maxAbsDiff((await hidden(start, [4, 5, 6, 7])).subarray(0, d), (await hidden(start, [4])).subarray(0, d))).toBeLessThan(1e-5);
    expect(maxAbsDiff((await hidden(end, [4, 5, 6, 7])).subarray(0, d), (await hidden(end, [4])).subarray(0, d))).toBeGreaterThan(1e-3);
    start.dispose();
    end.dispose();
  });

  it('left padding changes no real position, and later items never change earlier outputs', async () => {
    const d = base.dim;
    const model = SasRec.create({ ...base, positions: 'fromStart' }, 9);
    const padded = await hidden(model, [0, 0, 0, 0, 0, 0, 4, 5, 6, 7]);
    const unpadded = await hidden(model, [4, 5, 6, 7]);
    expect(maxAbsDiff(padded.subarray(6 * d), unpadded)).toBeLessThan(1e-5);
    const changed = await hidden(model, [0, 0, 0, 0, 0, 0, 4, 5, 6, 9]);
    expect(maxAbsDiff(padded.subarray(0, 9 * d), changed.subarray(0, 9 * d))).toBe(0);
    const before = tf.memory().numTensors;
    await hidden(model, [0, 1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('SasRec initialisation', () => {
  it('is deterministic for a seed and keeps the padding row zero', async () => {
    const cfg = tinyConfig();
    const a = SasRec.create(cfg, 3);
    const b = SasRec.create(cfg, 3);
    const c = SasRec.create(cfg, 4);
    const ea = (await a.w('item_emb').data()) as Float32Array;
    expect(maxAbsDiff(ea, (await b.w('item_emb').data()) as Float32Array)).toBe(0);
    expect(maxAbsDiff(ea, (await c.w('item_emb').data()) as Float32Array)).toBeGreaterThan(0);
    expect(Array.from(ea.subarray(0, cfg.dim))).toEqual(new Array(cfg.dim).fill(0));
    expect([...a.weights.keys()]).toContain('block1/ffn_w2');
    for (const m of [a, b, c]) m.dispose();
  });

  it("with attentionInit 'xavier' draws the query/key/value projections wider than initStd", async () => {
    const cfg = tinyConfig({ dim: 32, heads: 2, initStd: 0.02, attentionInit: 'xavier' });
    const m = SasRec.create(cfg, 3);
    const std = async (name: string) => {
      const v = (await m.w(name).data()) as Float32Array;
      return Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    };
    // Truncated at 2 sd, so the sample spread is about 0.88 of the requested one.
    const xavier = Math.sqrt(2 / (4 * 32));
    for (const n of ['block0/wq', 'block0/wk', 'block1/wv']) expect(await std(n)).toBeGreaterThan(0.75 * xavier);
    for (const n of ['block0/wo', 'block0/ffn_w1', 'pos_emb']) expect(await std(n)).toBeLessThan(0.025);
    m.dispose();
  });
});

describe('SasRec content tower', () => {
  it('item vectors are ID embedding + features @ feat_emb; ID dropout leaves content-only vectors', async () => {
    const cfg = tinyConfig({ numItems: 4, numFeatures: 2, idDropout: 0.5 });
    const feats = tf.tensor2d([[0, 0], [1, 0], [0, 1], [0.5, 0.5], [0, 0]]);
    const model = SasRec.create(cfg, 2, feats);
    const d = cfg.dim;
    const emb = (await model.w('item_emb').data()) as Float32Array;
    const fe = (await model.w('feat_emb').data()) as Float32Array;
    const t = model.itemTable();
    const table = (await t.data()) as Float32Array;
    t.dispose();
    for (let k = 0; k < d; k++) {
      expect(table[1 * d + k]).toBeCloseTo(emb[1 * d + k] + fe[k], 6);
      expect(table[3 * d + k]).toBeCloseTo(emb[3 * d + k] + 0.5 * fe[k] + 0.5 * fe[d + k], 6);
    }
    // In training, hidden rows keep exactly the content part.
    let seed = 1;
    const tt = model.itemTable({ training: true, nextSeed: () => seed++ });
    const dropped = (await tt.data()) as Float32Array;
    tt.dispose();
    let hidden = 0;
    for (let i = 1; i <= 4; i++) {
      const contentOnly = Array.from({ length: d }, (_, k) => Math.abs(dropped[i * d + k] - (table[i * d + k] - emb[i * d + k])) < 1e-6).every(Boolean);
      const full = Array.from({ length: d }, (_, k) => Math.abs(dropped[i * d + k] - table[i * d + k]) < 1e-6).every(Boolean);
      expect(contentOnly || full, `item ${i}`).toBe(true);
      if (contentOnly) hidden++;
    }
    expect(hidden).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('SasRec tensor hygiene', () => {
  it('create + dispose leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const model = SasRec.create(tinyConfig({ numFeatures: 3 }), 1, tf.zeros([21, 3]) as tf.Tensor2D);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('inference (itemTable, encode, scoreLast, topK) leaves no tensors behind', async () => {
    const model = SasRec.create(tinyConfig(), 1);
    const before = tf.memory().numTensors;
    const seqs = packSequences([[1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12]], 8);
    const scores = model.scoreLast(seqs);
    const { values, indices } = tf.topk(scores, 5);
    await indices.data();
    const attention: tf.Tensor4D[] = [];
    const h = tf.tidy(() => model.encode(model.itemTable(), seqs, { training: false, attention }));
    expect(attention.length).toBe(2);
    tf.dispose([seqs, scores, values, indices, h, ...attention]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('packSequences', () => {
  it('right-aligns, pads with 0 and keeps the newest maxLen items', async () => {
    const t = packSequences([[1, 2], [3, 4, 5, 6, 7]], 4);
    expect(t.shape).toEqual([2, 4]);
    expect(Array.from(await t.data())).toEqual([0, 0, 1, 2, 4, 5, 6, 7]);
    t.dispose();
  });
});

describe("SasRec 'sasrec' block layout (original SASRec code)", () => {
  // Plain-JS forward of one 1-head block, written from the reference code's description:
  // Q = LN1(x); x = Q + Attn(Q, K = x, V = x); n = LN2(x); x = n + FFN(n); out = LNf(x).
  function ln(v: number[], g: Float32Array, b: Float32Array): number[] {
    const mean = v.reduce((s, a) => s + a, 0) / v.length;
    const variance = v.reduce((s, a) => s + (a - mean) ** 2, 0) / v.length;
    return v.map((a, k) => ((a - mean) / Math.sqrt(variance + 1e-6)) * g[k] + b[k]);
  }
  function affine(v: number[], w: Float32Array, b: Float32Array, out: number): number[] {
    return Array.from({ length: out }, (_, j) => v.reduce((s, a, i) => s + a * w[i * out + j], b[j]));
  }

  it('matches a hand-written forward pass, and differs from the pre-LN layout', async () => {
    const cfg = tinyConfig({ numItems: 9, maxLen: 5, dim: 4, heads: 1, blocks: 1, ffnDim: 6, block: 'sasrec' });
    const model = SasRec.create(cfg, 11);
    // Random values everywhere (LayerNorm gains and biases included) so no term can hide.
    let seed = 100;
    for (const t of model.weights.values()) t.assign(tf.tidy(() => tf.randomNormal(t.shape, 0, 0.5, 'float32', seed++)));
    const w = new Map<string, Float32Array>();
    for (const [name, t] of model.weights) w.set(name, (await t.data()) as Float32Array);
    const W = (n: string) => w.get(n) as Float32Array;
    const seq = [3, 7, 2];
    const d = cfg.dim;
    const len = seq.length;
    // fromEnd positions: the last item sits at maxLen - 1.
    const x0 = seq.map((item, t) => Array.from({ length: d }, (_, k) => W('item_emb')[item * d + k] * Math.sqrt(d) + W('pos_emb')[(cfg.maxLen - len + t) * d + k]));
    const q = x0.map((v) => ln(v, W('block0/ln1_g'), W('block0/ln1_b')));
    const qp = q.map((v) => affine(v, W('block0/wq'), W('block0/bq'), d));
    const kp = x0.map((v) => affine(v, W('block0/wk'), W('block0/bk'), d));
    const vp = x0.map((v) => affine(v, W('block0/wv'), W('block0/bv'), d));
    const expected: number[][] = [];
    for (let t = 0; t < len; t++) {
      const logits = Array.from({ length: t + 1 }, (_, j) => qp[t].reduce((s, a, k) => s + a * kp[j][k], 0) / Math.sqrt(d));
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((s, a) => s + a, 0);
      const ctx = Array.from({ length: d }, (_, k) => e.reduce((s, a, j) => s + (a / z) * vp[j][k], 0));
      const attn = affine(ctx, W('block0/wo'), W('block0/bo'), d);
      const x1 = q[t].map((a, k) => a + attn[k]);
      const n = ln(x1, W('block0/ln2_g'), W('block0/ln2_b'));
      const f = affine(affine(n, W('block0/ffn_w1'), W('block0/ffn_b1'), cfg.ffnDim).map((a) => Math.max(0, a)), W('block0/ffn_w2'), W('block0/ffn_b2'), d);
      expected.push(ln(n.map((a, k) => a + f[k]), W('final_ln_g'), W('final_ln_b')));
    }
    const run = async (m: SasRec) => {
      const h = tf.tidy(() => m.encode(m.itemTable(), tf.tensor2d([seq], [1, len], 'int32'), { training: false }));
      const out = (await h.data()) as Float32Array;
      h.dispose();
      return out;
    };
    const got = await run(model);
    expect(maxAbsDiff(got, Float32Array.from(expected.flat()))).toBeLessThan(1e-4);
    // Same weights in the default layout give different outputs: the option really switches.
    const preLN = new SasRec({ ...cfg, block: 'preLN' }, new Map([...model.weights].map(([n, t]) => [n, tf.variable(t.clone())])));
    expect(maxAbsDiff(await run(preLN), got)).toBeGreaterThan(1e-3);
    preLN.dispose();
    model.dispose();
  });

  it('stays causal with padding, and leaks no tensors', async () => {
    const model = SasRec.create(tinyConfig({ numItems: 30, maxLen: 10, dim: 16, heads: 2, blocks: 2, block: 'sasrec', positions: 'fromStart' }), 5);
    const hidden = async (seq: number[]) => {
      const h = tf.tidy(() => model.encode(model.itemTable(), tf.tensor2d([seq], [1, seq.length], 'int32'), { training: false }));
      const out = (await h.data()) as Float32Array;
      h.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const a = await hidden([0, 0, 0, 4, 5, 6, 7, 8]);
    const b = await hidden([0, 0, 0, 4, 5, 6, 7, 9]);
    expect(maxAbsDiff(a.subarray(0, 7 * 16), b.subarray(0, 7 * 16))).toBe(0);
    expect(maxAbsDiff(a.subarray(7 * 16), b.subarray(7 * 16))).toBeGreaterThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
