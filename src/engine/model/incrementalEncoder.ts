import * as tf from '@tensorflow/tfjs';
import type { SasRecConfig } from './config';
import { NEG_INF } from './layers';
import type { SasRec } from './sasrec';

/** LayerNorm epsilon, as `layers.ts` uses it. */
const EPS = 1e-6;

/** One block's parameters as plain arrays (dense weights [in, out] row-major, as the tfjs ones). */
interface BlockWeights {
  ln1g: Float32Array; ln1b: Float32Array;
  wq: Float32Array; bq: Float32Array;
  wk: Float32Array; bk: Float32Array;
  wv: Float32Array; bv: Float32Array;
  wo: Float32Array; bo: Float32Array;
  ln2g: Float32Array; ln2b: Float32Array;
  w1: Float32Array; b1: Float32Array;
  w2: Float32Array; b2: Float32Array;
}

/** Why `config` cannot be run incrementally, or null when it can. */
export function incrementalUnsupported(config: SasRecConfig): string | null {
  if (config.positions !== 'fromStart') {
    return `positions "${config.positions ?? 'fromEnd'}": a position's vector depends on the history length, so appending an item changes every earlier position (only 'fromStart' models can be encoded incrementally)`;
  }
  if (config.dim % config.heads !== 0) return `dim ${config.dim} is not divisible by heads ${config.heads}`;
  return null;
}

/**
 * `SasRec.encode` for one sequence in plain TypeScript, with a key/value cache (issue 23): the
 * encoder is causal and, with positions counted from the window start ('fromStart'), appending an
 * item changes no earlier position's hidden states, so `append` computes only the new position
 * (a few matrix-vector products per block, no tfjs ops) and returns its final hidden vector.
 * Inference only (no dropout). Holds the weights of one weights version (read once by `load`),
 * the item table rows, and the state of one sequence of at most maxLen items: per block the keys
 * and values of every position. A sequence longer than maxLen slides the window (every position
 * changes): the caller rebuilds or uses the tfjs path.
 */
export class IncrementalEncoder {
  readonly config: SasRecConfig;
  private readonly rows: ItemRows;
  private readonly pos: Float32Array;
  private readonly blocks: BlockWeights[];
  private readonly finalG: Float32Array;
  private readonly finalB: Float32Array;
  /** Per block: keys and values of positions 0..length-1, [maxLen, dim] each. */
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  /** Final hidden vector of positions 0..length-1, [maxLen, dim] (a prefix's scores: `hiddenAt`). */
  private readonly finals: Float32Array;
  private readonly seq: number[] = [];
  private last: Float32Array | null = null;

  private constructor(config: SasRecConfig, rows: ItemRows, read: (name: string) => Float32Array) {
    const reason = incrementalUnsupported(config);
    if (reason) throw new Error(`IncrementalEncoder: unsupported model config: ${reason}`);
    const { dim: d, numItems, maxLen } = config;
    const table = rows.whole;
    if (table && table.length !== (numItems + 1) * d) throw new Error(`IncrementalEncoder: item table has ${table.length} values, expected ${(numItems + 1) * d}`);
    this.config = config;
    this.rows = rows;
    this.pos = read('pos_emb');
    this.blocks = Array.from({ length: config.blocks }, (_, b) => {
      const g = (n: string) => read(`block${b}/${n}`);
      return {
        ln1g: g('ln1_g'), ln1b: g('ln1_b'),
        wq: g('wq'), bq: g('bq'), wk: g('wk'), bk: g('bk'), wv: g('wv'), bv: g('bv'), wo: g('wo'), bo: g('bo'),
        ln2g: g('ln2_g'), ln2b: g('ln2_b'),
        w1: g('ffn_w1'), b1: g('ffn_b1'), w2: g('ffn_w2'), b2: g('ffn_b2'),
      };
    });
    this.finalG = read('final_ln_g');
    this.finalB = read('final_ln_b');
    this.keys = this.blocks.map(() => new Float32Array(maxLen * d));
    this.values = this.blocks.map(() => new Float32Array(maxLen * d));
    this.finals = new Float32Array(maxLen * d);
  }

  /**
   * Reads the model's weights (one `await data()` each) for an encoder of `tableRows`: the item
   * table [vocab, dim] of the same weights (`ItemTables.table()`'s values), or `FetchedRows` (only
   * the rows of items in the sequence: a 100,000-item table is 51 MB as a JS copy). Throws for an
   * unsupported config (see `incrementalUnsupported`).
   */
  static async load(model: SasRec, tableRows: Float32Array | ItemRows): Promise<IncrementalEncoder> {
    const reason = incrementalUnsupported(model.config);
    if (reason) throw new Error(`IncrementalEncoder: unsupported model config: ${reason}`);
    const names = ['pos_emb', 'final_ln_g', 'final_ln_b'];
    for (let b = 0; b < model.config.blocks; b++) {
      for (const n of ['ln1_g', 'ln1_b', 'wq', 'bq', 'wk', 'bk', 'wv', 'bv', 'wo', 'bo', 'ln2_g', 'ln2_b', 'ffn_w1', 'ffn_b1', 'ffn_w2', 'ffn_b2']) names.push(`block${b}/${n}`);
    }
    const arrays = new Map<string, Float32Array>();
    for (const n of names) arrays.set(n, Float32Array.from((await (model.w(n) as tf.Tensor).data()) as Float32Array));
    const rows = tableRows instanceof Float32Array ? new TableRows(tableRows, model.config.dim) : tableRows;
    return new IncrementalEncoder(model.config, rows, (n) => arrays.get(n) as Float32Array);
  }

  /** The encoded sequence (oldest first). Do not modify. */
  get sequence(): readonly number[] {
    return this.seq;
  }

  /** Final hidden vector [dim] of the newest position, or null for an empty sequence. Do not modify. */
  get lastHidden(): Float32Array | null {
    return this.last;
  }

  /**
   * Final hidden vector [dim] of position `t` of the encoded sequence: what the model reads after
   * its first t + 1 items (earlier positions never change). A view: do not modify; valid until
   * the state changes.
   */
  hiddenAt(t: number): Float32Array {
    if (!(Number.isInteger(t) && t >= 0 && t < this.seq.length)) throw new Error(`IncrementalEncoder.hiddenAt: ${t} is outside 0..${this.seq.length - 1}`);
    const d = this.config.dim;
    return this.finals.subarray(t * d, (t + 1) * d);
  }

  /** True when `sequence` is the encoded one plus one item and fits the window (an `append` away). */
  extends(sequence: readonly number[]): boolean {
    const n = this.seq.length;
    if (sequence.length !== n + 1 || sequence.length > this.config.maxLen) return false;
    for (let i = 0; i < n; i++) if (sequence[i] !== this.seq[i]) return false;
    return true;
  }

  /** True when `sequence` is the encoded one. */
  holds(sequence: readonly number[]): boolean {
    return sequence.length === this.seq.length && sequence.every((x, i) => x === this.seq[i]);
  }

  /** Appends one item; returns the new position's final hidden vector [dim]. */
  append(itemId: number): Float32Array {
    if (this.seq.length >= this.config.maxLen) throw new Error(`IncrementalEncoder.append: the sequence already holds maxLen (${this.config.maxLen}) items`);
    this.checkItem(itemId);
    this.rows.row(itemId); // throws before the state changes when the row is missing
    this.seq.push(itemId);
    return this.run(this.seq.length - 1);
  }

  /**
   * Appends several items, computed layer by layer over the new positions (a rebuild can go in
   * chunks between other work); returns the newest final hidden vector (the last one when
   * `items` is empty).
   */
  extend(items: readonly number[]): Float32Array | null {
    if (this.seq.length + items.length > this.config.maxLen) throw new Error(`IncrementalEncoder.extend: ${this.seq.length + items.length} items exceed maxLen ${this.config.maxLen}`);
    for (const id of items) { this.checkItem(id); this.rows.row(id); }
    if (items.length === 0) return this.last;
    const from = this.seq.length;
    this.seq.push(...items);
    return this.run(from);
  }

  /**
   * Encodes `sequence` from scratch (at most maxLen items), layer by layer over all positions
   * (O(n² dim) attention); returns the newest position's final hidden vector, null when empty.
   */
  build(sequence: readonly number[]): Float32Array | null {
    if (sequence.length > this.config.maxLen) throw new Error(`IncrementalEncoder.build: ${sequence.length} items exceed maxLen ${this.config.maxLen}`);
    for (const id of sequence) this.checkItem(id);
    this.clear();
    return this.extend(sequence);
  }

  /**
   * Keeps the oldest `length` items (their keys and values stay valid: later positions never
   * change earlier ones). The newest hidden vector is not kept: null until the next append / build.
   */
  truncate(length: number): void {
    if (!(length >= 0 && length <= this.seq.length)) throw new Error(`IncrementalEncoder.truncate: ${length} is outside 0..${this.seq.length}`);
    this.seq.length = length;
    this.last = null;
  }

  /** Forgets the sequence (the weights stay). */
  clear(): void {
    this.seq.length = 0;
    this.last = null;
  }

  /** Scores of every item after `hidden` (hidden · table^T, index 0 = padding = NEG_INF, as `scoreCatalog`). */
  scores(hidden: Float32Array): Float32Array {
    const { dim: d, numItems } = this.config;
    const vocab = numItems + 1;
    const t = this.rows.whole;
    if (!t) throw new Error('IncrementalEncoder.scores needs the whole item table (PersonScores multiplies with the tfjs table instead)');
    const out = new Float32Array(vocab);
    for (let r = 1; r < vocab; r++) {
      let s = 0;
      const o = r * d;
      for (let i = 0; i < d; i++) s += hidden[i] * t[o + i];
      out[r] = s;
    }
    out[0] = NEG_INF;
    return out;
  }

  private checkItem(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > this.config.numItems) throw new Error(`IncrementalEncoder: item id ${id} is outside 1..${this.config.numItems}`);
  }

  /** Computes positions from..length-1 (the earlier ones are in the cache); returns the newest final hidden vector. */
  private run(from: number): Float32Array {
    const { dim: d, heads, ffnDim } = this.config;
    const n = this.seq.length;
    const rows = n - from;
    const sasrec = this.config.block === 'sasrec';
    const scale = Math.sqrt(d);
    // The stream x for the new rows, [rows, d].
    const x = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      const t = from + r;
      const v = this.rows.row(this.seq[t]);
      for (let i = 0; i < d; i++) x[r * d + i] = v[i] * scale + this.pos[t * d + i];
    }
    const h = new Float32Array(rows * d);
    const q = new Float32Array(d);
    const ctx = new Float32Array(d);
    const att = new Float32Array(n);
    const out = new Float32Array(d);
    const n2 = new Float32Array(d);
    const f1 = new Float32Array(ffnDim);
    const f2 = new Float32Array(d);
    const dh = d / heads;
    const inv = 1 / Math.sqrt(dh);
    for (let b = 0; b < this.blocks.length; b++) {
      const w = this.blocks[b];
      const K = this.keys[b];
      const V = this.values[b];
      // Keys and values of the new rows first (a row attends to every new row before it).
      for (let r = 0; r < rows; r++) {
        const xr = x.subarray(r * d, (r + 1) * d);
        const hr = h.subarray(r * d, (r + 1) * d);
        layerNorm(xr, w.ln1g, w.ln1b, hr);
        const src = sasrec ? xr : hr;
        const t = from + r;
        dense(src, w.wk, w.bk, K.subarray(t * d, (t + 1) * d));
        dense(src, w.wv, w.bv, V.subarray(t * d, (t + 1) * d));
      }
      for (let r = 0; r < rows; r++) {
        const t = from + r;
        const xr = x.subarray(r * d, (r + 1) * d);
        const hr = h.subarray(r * d, (r + 1) * d);
        dense(hr, w.wq, w.bq, q);
        for (let hd = 0; hd < heads; hd++) {
          const o = hd * dh;
          let max = -Infinity;
          for (let j = 0; j <= t; j++) {
            let s = 0;
            const k = j * d + o;
            for (let i = 0; i < dh; i++) s += q[o + i] * K[k + i];
            s *= inv;
            att[j] = s;
            if (s > max) max = s;
          }
          let sum = 0;
          for (let j = 0; j <= t; j++) sum += att[j] = Math.exp(att[j] - max);
          for (let i = 0; i < dh; i++) ctx[o + i] = 0;
          for (let j = 0; j <= t; j++) {
            const p = att[j] / sum;
            const v = j * d + o;
            for (let i = 0; i < dh; i++) ctx[o + i] += p * V[v + i];
          }
        }
        dense(ctx, w.wo, w.bo, out);
        // Attention residual: from the normalised query ('sasrec') or the stream (pre-LN).
        for (let i = 0; i < d; i++) xr[i] = (sasrec ? hr[i] : xr[i]) + out[i];
        layerNorm(xr, w.ln2g, w.ln2b, n2);
        dense(n2, w.w1, w.b1, f1, true);
        dense(f1, w.w2, w.b2, f2);
        for (let i = 0; i < d; i++) xr[i] = (sasrec ? n2[i] : xr[i]) + f2[i];
      }
    }
    for (let r = 0; r < rows; r++) layerNorm(x.subarray(r * d, (r + 1) * d), this.finalG, this.finalB, this.finals.subarray((from + r) * d, (from + r + 1) * d));
    const last = this.finals.slice((n - 1) * d, n * d);
    this.last = last;
    return last;
  }
}

/** LayerNorm of one vector (population variance, eps as `layers.ts`). */
function layerNorm(x: Float32Array, g: Float32Array, b: Float32Array, out: Float32Array): void {
  const d = x.length;
  let mean = 0;
  for (let i = 0; i < d; i++) mean += x[i];
  mean /= d;
  let v = 0;
  for (let i = 0; i < d; i++) v += (x[i] - mean) * (x[i] - mean);
  const r = 1 / Math.sqrt(v / d + EPS);
  for (let i = 0; i < d; i++) out[i] = (x[i] - mean) * r * g[i] + b[i];
}

/** out = x @ w + b (w: [in, out] row-major), optionally through ReLU. */
function dense(x: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array, relu = false): void {
  const m = out.length;
  const acc = new Float64Array(m);
  for (let o = 0; o < m; o++) acc[o] = b[o];
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * m;
    for (let o = 0; o < m; o++) acc[o] += xi * w[row + o];
  }
  for (let o = 0; o < m; o++) out[o] = relu && acc[o] < 0 ? 0 : acc[o];
}

/** The item vectors an encoder reads, by id: the whole table, or only rows fetched beforehand. */
export interface ItemRows {
  /** The item's vector [dim] (do not modify). */
  row(id: number): Float32Array;
  /** The whole table [vocab, dim] when held, else null. */
  readonly whole: Float32Array | null;
}

/** Rows of a whole item table held as one array. */
export class TableRows implements ItemRows {
  readonly whole: Float32Array;
  private readonly dim: number;

  constructor(table: Float32Array, dim: number) {
    this.whole = table;
    this.dim = dim;
  }

  row(id: number): Float32Array {
    return this.whole.subarray(id * this.dim, (id + 1) * this.dim);
  }
}

/**
 * Rows read from the tfjs item table on demand (`fetch` before the encoder needs them), so the
 * encoder holds the person's items only, not a JS copy of the whole table. One gather + read per
 * fetch; a row once read stays (they belong to one set of weights: make a new one when they change).
 */
export class FetchedRows implements ItemRows {
  readonly whole = null;
  private readonly table: () => tf.Tensor2D;
  private readonly dim: number;
  private readonly rows = new Map<number, Float32Array>();

  constructor(table: () => tf.Tensor2D, dim: number) {
    this.table = table;
    this.dim = dim;
  }

  /** Reads the rows of `ids` not read yet. */
  async fetch(ids: readonly number[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.rows.has(id));
    if (missing.length === 0) return;
    const t = tf.tidy(() => tf.gather(this.table(), tf.tensor1d(missing, 'int32')));
    try {
      const data = (await t.data()) as Float32Array;
      missing.forEach((id, i) => this.rows.set(id, data.slice(i * this.dim, (i + 1) * this.dim)));
    } finally {
      t.dispose();
    }
  }

  row(id: number): Float32Array {
    const r = this.rows.get(id);
    if (!r) throw new Error(`FetchedRows: the row of item ${id} was not fetched`);
    return r;
  }

  get size(): number {
    return this.rows.size;
  }
}

