import * as tf from '@tensorflow/tfjs';
import type { SasRecConfig } from './config';
import { featureProduct } from './featureProduct';
import { gatherRows } from './gatherRows';
import { matmul } from './matmul';
import { attentionBias, dense, layerNorm, selfAttention, NEG_INF, type AttentionWeights } from './layers';

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Enables dropout and ID dropout. */
  training: boolean;
  /** Seed source for dropout masks (deterministic training). */
  nextSeed?: () => number;
  /** Collects attention probabilities per block ([batch, heads, len, len]); caller disposes them. */
  attention?: tf.Tensor4D[];
  /**
   * Parameters to use instead of the model's own for this pass, by name (a person's adapter
   * merged on the fly while it trains, see train/adapters.ts). Differentiable like the weights.
   */
  params?: ReadonlyMap<string, tf.Tensor>;
}

/**
 * Deterministic initializer: one seed per weight, derived from the model seed. Variables are
 * left unnamed so several models can live side by side (tfjs names must be globally unique).
 */
function initWeights(cfg: SasRecConfig, seed: number): Map<string, tf.Variable> {
  const w = new Map<string, tf.Variable>();
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0);
  // tf.variable shares the init tensor's data without owning it: dispose the init tensor.
  const own = (name: string, init: tf.Tensor) => {
    w.set(name, tf.variable(init, true));
    init.dispose();
  };
  const normal = (name: string, shape: number[], std: number) =>
    own(name, tf.truncatedNormal(shape, 0, std, 'float32', next()));
  const xavier = (name: string, fanIn: number, fanOut: number) =>
    normal(name, [fanIn, fanOut], cfg.initStd ?? Math.sqrt(2 / (fanIn + fanOut)));
  const filled = (name: string, shape: number[], value: number) => own(name, tf.fill(shape, value));
  const { dim: d, numItems, maxLen, ffnDim } = cfg;

  own('item_emb', tf.tidy(() => {
    // Row 0 is padding and stays zero.
    const e = tf.truncatedNormal([numItems + 1, d], 0, cfg.initStd ?? 1 / Math.sqrt(d), 'float32', next());
    return tf.concat([tf.zeros([1, d]), tf.slice(e, [1, 0], [numItems, d])]);
  }));
  const embStd = cfg.initStd ?? 1 / Math.sqrt(d);
  normal('pos_emb', [maxLen, d], embStd);
  if (cfg.numFeatures > 0) normal('feat_emb', [cfg.numFeatures, d], embStd);
  for (let b = 0; b < cfg.blocks; b++) {
    const p = `block${b}/`;
    filled(`${p}ln1_g`, [d], 1); filled(`${p}ln1_b`, [d], 0);
    for (const m of ['q', 'k', 'v', 'o']) {
      if (m !== 'o' && cfg.attentionInit === 'xavier') normal(`${p}w${m}`, [d, d], Math.sqrt(2 / (4 * d)));
      else xavier(`${p}w${m}`, d, d);
      filled(`${p}b${m}`, [d], 0);
    }
    filled(`${p}ln2_g`, [d], 1); filled(`${p}ln2_b`, [d], 0);
    xavier(`${p}ffn_w1`, d, ffnDim); filled(`${p}ffn_b1`, [ffnDim], 0);
    xavier(`${p}ffn_w2`, ffnDim, d); filled(`${p}ffn_b2`, [d], 0);
  }
  filled('final_ln_g', [d], 1); filled('final_ln_b', [d], 0);
  return w;
}

/**
 * SASRec-family sequential recommender: item embeddings shared between input and output,
 * learned positions (counted back from the newest item, or from the oldest item in the window
 * when config.positions is 'fromStart'),
 * pre-LayerNorm causal Transformer blocks, dropout. Optional content tower: item vector =
 * ID embedding + features @ feat_emb, so items unseen in training still get a vector.
 */
export class SasRec {
  readonly config: SasRecConfig;
  /** Trainable parameters by name, in a stable order. */
  readonly weights: Map<string, tf.Variable>;
  /** [numItems+1, numFeatures] row-normalised multi-hot item features, or null. Not trainable. */
  features: tf.Tensor2D | null;

  constructor(config: SasRecConfig, weights: Map<string, tf.Variable>, features: tf.Tensor2D | null = null) {
    this.config = config;
    this.weights = weights;
    this.features = features;
  }

  /** A freshly initialised model (deterministic for a given seed). */
  static create(config: SasRecConfig, seed = 42, features: tf.Tensor2D | null = null): SasRec {
    return new SasRec(config, initWeights(config, seed), features);
  }

  w(name: string): tf.Variable {
    const v = this.weights.get(name);
    if (!v) throw new Error(`SasRec: missing weight "${name}"`);
    return v;
  }

  /** A parameter as this pass sees it: the override in `opts.params`, else the weight. */
  private param(name: string, opts: ForwardOptions): tf.Tensor {
    return opts.params?.get(name) ?? this.w(name);
  }

  /** Item vectors [numItems+1, dim]: ID embedding (+ content projection). */
  itemTable(opts: ForwardOptions = { training: false }): tf.Tensor2D {
    return tf.tidy(() => {
      let ids: tf.Tensor2D = this.w('item_emb') as tf.Tensor2D;
      const { idDropout } = this.config;
      if (opts.training && idDropout > 0) {
        const keep = tf.cast(
          tf.greaterEqual(tf.randomUniform([ids.shape[0], 1], 0, 1, 'float32', opts.nextSeed?.()), idDropout),
          'float32',
        );
        ids = tf.mul(ids, keep);
      }
      if (!this.features || this.config.numFeatures === 0) return tf.clone(ids);
      return tf.add(ids, featureProduct(this.features, this.w('feat_emb') as tf.Tensor2D));
    });
  }

  /**
   * Hidden states for right-aligned (left-padded) sequences. seqs: [batch, len] int32 with
   * 0 = padding, len <= maxLen. Returns [batch, len, dim]; position t summarises items <= t.
   */
  encode(table: tf.Tensor2D, seqs: tf.Tensor2D, opts: ForwardOptions): tf.Tensor3D {
    const { dim: d, maxLen, blocks, heads, dropout: rate } = this.config;
    const [batch, len] = seqs.shape;
    if (len > maxLen) throw new Error(`SasRec.encode: sequence length ${len} exceeds maxLen ${maxLen}`);
    const sasrecBlock = this.config.block === 'sasrec';
    const drop = (t: tf.Tensor): tf.Tensor =>
      opts.training && rate > 0 ? tf.dropout(t, rate, undefined, opts.nextSeed?.()) : t;
    return tf.tidy(() => {
      const mask = tf.cast(tf.notEqual(seqs, 0), 'float32') as tf.Tensor2D; // [batch, len]
      const mask3 = tf.expandDims(mask, 2); // [batch, len, 1]
      const emb = gatherRows(table, tf.reshape(seqs, [-1]) as tf.Tensor1D); // [batch*len, d]
      const pos = this.positionVectors(mask, maxLen, len, d, this.param('pos_emb', opts) as tf.Tensor2D); // [len, d] or [batch, len, d]
      let x = tf.add(tf.mul(tf.reshape(emb, [batch, len, d]), Math.sqrt(d)), pos) as tf.Tensor3D;
      x = tf.mul(drop(x), mask3) as tf.Tensor3D;
      const bias = attentionBias(mask);
      for (let b = 0; b < blocks; b++) {
        const p = `block${b}/`;
        const g = (n: string) => this.param(p + n, opts);
        const h = layerNorm(x, g('ln1_g') as tf.Tensor1D, g('ln1_b') as tf.Tensor1D) as tf.Tensor3D;
        const attnW = Object.fromEntries(
          ['wq', 'bq', 'wk', 'bk', 'wv', 'bv', 'wo', 'bo'].map((n) => [n, g(n)]),
        ) as unknown as AttentionWeights;
        // 'sasrec': keys and values read the un-normalised stream, the residuals start from the
        // normalised query / feed-forward input and the attention output is not dropped out
        // (only its weights are), as in the original SASRec code.
        const { out, probs } = selfAttention(h, attnW, heads, bias, drop, sasrecBlock ? x : h);
        if (opts.attention) opts.attention.push(tf.keep(probs));
        x = tf.add(sasrecBlock ? h : x, sasrecBlock ? out : drop(out)) as tf.Tensor3D;
        const n2 = layerNorm(x, g('ln2_g') as tf.Tensor1D, g('ln2_b') as tf.Tensor1D) as tf.Tensor3D;
        const f1 = dense(tf.reshape(n2, [batch * len, d]) as tf.Tensor2D, g('ffn_w1') as tf.Tensor2D, g('ffn_b1') as tf.Tensor1D, true);
        const f2 = dense(drop(f1) as tf.Tensor2D, g('ffn_w2') as tf.Tensor2D, g('ffn_b2') as tf.Tensor1D);
        x = tf.mul(tf.add(sasrecBlock ? n2 : x, drop(tf.reshape(f2, [batch, len, d]))), mask3) as tf.Tensor3D;
      }
      return layerNorm(x, this.param('final_ln_g', opts) as tf.Tensor1D, this.param('final_ln_b', opts) as tf.Tensor1D) as tf.Tensor3D;
    });
  }

  /**
   * Learned position vectors. 'fromEnd': a [len, d] slice shared by every row. 'fromStart':
   * [batch, len, d], a real item's position is the number of real items before it in the window
   * (padding rows get position 0 and are masked anyway), so left padding changes nothing.
   */
  private positionVectors(mask: tf.Tensor2D, maxLen: number, len: number, d: number, table: tf.Tensor2D): tf.Tensor {
    if (this.config.positions !== 'fromStart') return tf.slice(table, [maxLen - len, 0], [len, d]);
    const [batch] = mask.shape;
    const index = tf.cast(tf.relu(tf.sub(tf.cumsum(mask, 1), 1)), 'int32');
    return tf.reshape(gatherRows(table, tf.reshape(index, [-1]) as tf.Tensor1D), [batch, len, d]);
  }

  /**
   * Scores of every item after each sequence's newest item: [batch, numItems+1].
   * Column 0 (padding) is NEG_INF. Inference only (no dropout). `params` as in `ForwardOptions`.
   */
  scoreLast(seqs: tf.Tensor2D, table?: tf.Tensor2D, params?: ReadonlyMap<string, tf.Tensor>): tf.Tensor2D {
    return tf.tidy(() => {
      const t = table ?? this.itemTable();
      const [batch, len] = seqs.shape;
      const h = this.encode(t, seqs, { training: false, params }); // [batch, len, d]
      const last = tf.reshape(tf.slice(h, [0, len - 1, 0], [batch, 1, this.config.dim]), [batch, this.config.dim]);
      return tf.add(tf.matMul(last, tf.transpose(t)), padColumnBias(this.config.numItems + 1)) as tf.Tensor2D;
    });
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.features?.dispose();
    this.features = null;
  }
}

/** [1, vocab] bias that removes the padding column from any softmax or ranking. */
export function padColumnBias(vocab: number): tf.Tensor2D {
  const b = new Float32Array(vocab);
  b[0] = NEG_INF;
  return tf.tensor2d(b, [1, vocab]);
}

/**
 * Packs histories into a right-aligned [batch, len] int32 matrix (len = longest history,
 * capped at maxLen; older items are dropped).
 */
export function packSequences(histories: ArrayLike<number>[], maxLen: number, minLen = 1): tf.Tensor2D {
  let len = minLen;
  for (const h of histories) len = Math.max(len, Math.min(h.length, maxLen));
  const buf = new Int32Array(histories.length * len);
  histories.forEach((h, r) => {
    const n = Math.min(h.length, len);
    for (let i = 0; i < n; i++) buf[r * len + (len - n + i)] = h[h.length - n + i];
  });
  return tf.tensor2d(buf, [histories.length, len], 'int32');
}
