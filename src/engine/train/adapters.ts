import * as tf from '@tensorflow/tfjs';
import { LocalRecError } from '../errors';
import type { SasRecConfig } from '../model/config';
import type { SasRec } from '../model/sasrec';

/**
 * Per-person parameters that leave the shared weights alone (a few KB each):
 * - `lora`: low-rank adapters W + A B (A [in, r], B [r, out]) on every attention projection
 *   (wq, wk, wv, wo) and both feed-forward matrices of every block;
 * - `bias`: a person's taste vector u added to the final hidden state, i.e. a per-person bias
 *   over items through their vectors (score_i += u . e_i), which reaches unseen items too;
 * - `userEmbedding`: a person vector added to the input at every position of the window (a
 *   prefix-like user token the whole Transformer reads).
 * Each merges exactly into the model's own weights (W + AB, final_ln_b + u, pos_emb + u), so
 * ranking needs no change and a stored adapter is applied once when it is loaded.
 */
export type AdapterKind = 'lora' | 'bias' | 'userEmbedding';

export const ADAPTER_KINDS: readonly AdapterKind[] = ['lora', 'bias', 'userEmbedding'];

/** A person's adapter as stored in IndexedDB and in the export bundle. */
export interface StoredAdapter {
  kind: AdapterKind;
  /** Rank of the `lora` matrices (0 for the vector kinds). */
  rank: number;
  /** Float32 values of each adapter tensor, by name (see `adapterShapes`). */
  tensors: Record<string, Float32Array>;
}

/** The largest LoRA rank a stored or imported adapter may have (a guard against absurd sizes). */
export const MAX_ADAPTER_RANK = 64;

const LORA_TARGETS = ['wq', 'wk', 'wv', 'wo', 'ffn_w1', 'ffn_w2'] as const;

export function isAdapterKind(x: unknown): x is AdapterKind {
  return typeof x === 'string' && (ADAPTER_KINDS as readonly string[]).includes(x);
}

/** [in, out] of a LoRA target matrix. */
function targetShape(cfg: SasRecConfig, target: (typeof LORA_TARGETS)[number]): [number, number] {
  if (target === 'ffn_w1') return [cfg.dim, cfg.ffnDim];
  if (target === 'ffn_w2') return [cfg.ffnDim, cfg.dim];
  return [cfg.dim, cfg.dim];
}

/** Shape of every tensor of an adapter, by name. */
export function adapterShapes(cfg: SasRecConfig, kind: AdapterKind, rank: number): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  switch (kind) {
    case 'lora':
      for (let b = 0; b < cfg.blocks; b++) {
        for (const t of LORA_TARGETS) {
          const [i, o] = targetShape(cfg, t);
          shapes.set(`lora/block${b}/${t}/a`, [i, rank]);
          shapes.set(`lora/block${b}/${t}/b`, [rank, o]);
        }
      }
      return shapes;
    case 'bias':
      shapes.set('bias/out', [cfg.dim]);
      return shapes;
    case 'userEmbedding':
      shapes.set('user/in', [cfg.dim]);
      return shapes;
  }
}

/** The model weights an adapter changes (its merge targets). */
export function adaptedWeights(cfg: SasRecConfig, kind: AdapterKind): string[] {
  switch (kind) {
    case 'lora': {
      const out: string[] = [];
      for (let b = 0; b < cfg.blocks; b++) for (const t of LORA_TARGETS) out.push(`block${b}/${t}`);
      return out;
    }
    case 'bias': return ['final_ln_b'];
    case 'userEmbedding': return ['pos_emb'];
  }
}

/**
 * The adapter tensors whose scaling by k scales the adapter's effect by k (the `b` matrices of
 * LoRA, the vectors themselves); zeroing them gives back the pretrained model.
 */
export function deltaTensorNames(kind: AdapterKind, names: Iterable<string>): string[] {
  return [...names].filter((n) => kind !== 'lora' || n.endsWith('/b'));
}

/**
 * A fresh adapter that changes nothing: LoRA `a` matrices drawn from N(0, 1/in) with a
 * deterministic seed per tensor, `b` matrices and vectors zero.
 */
export function initAdapter(cfg: SasRecConfig, kind: AdapterKind, rank: number, seed = 1): Map<string, tf.Variable> {
  if (kind === 'lora' && !(Number.isInteger(rank) && rank >= 1)) {
    throw new LocalRecError('INVALID_INPUT', `A LoRA adapter needs a whole rank >= 1 (got ${rank}). Set the policy's adapterRank.`);
  }
  const out = new Map<string, tf.Variable>();
  let s = seed >>> 0;
  for (const [name, shape] of adapterShapes(cfg, kind, rank)) {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    const init = kind === 'lora' && name.endsWith('/a') ? tf.truncatedNormal(shape, 0, 1 / Math.sqrt(shape[0]), 'float32', s) : tf.zeros(shape);
    out.set(name, tf.variable(init, true));
    init.dispose();
  }
  return out;
}

/** Variables holding a stored adapter's values (checked against the model's shapes). */
export function adapterVariables(cfg: SasRecConfig, stored: StoredAdapter): Map<string, tf.Variable> {
  const shapes = adapterShapes(cfg, stored.kind, stored.rank);
  const problem = checkAdapterValues(shapes, stored.tensors);
  if (problem) throw new LocalRecError('INVALID_INPUT', `The stored ${stored.kind} adapter does not fit this model: ${problem}. Delete the personal model (Profile > Reset) to start again.`);
  return new Map([...shapes].map(([n, shape]) => {
    // tf.variable shares the init tensor's data without owning it: dispose the init tensor.
    const init = tf.tensor(stored.tensors[n], shape);
    const v = tf.variable(init, true);
    init.dispose();
    return [n, v];
  }));
}

/** Null when `values` holds exactly the tensors of `shapes` with finite values, else what is wrong. */
export function checkAdapterValues(shapes: ReadonlyMap<string, number[]>, values: Record<string, Float32Array>): string | null {
  for (const [n, shape] of shapes) {
    const v = values[n];
    const size = shape.reduce((a, b) => a * b, 1);
    if (!v) return `"${n}" is missing`;
    if (v.length !== size) return `"${n}" has ${v.length} values, needs ${size}`;
    if (v.some((x) => !Number.isFinite(x))) return `"${n}" contains NaN or infinite values`;
  }
  const extra = Object.keys(values).filter((n) => !shapes.has(n));
  return extra.length ? `unknown tensor(s) ${extra.join(', ')}` : null;
}

/**
 * The effective weights of the adapted parameters: base + adapter effect (call inside a tidy or
 * a gradient scope; the result is differentiable in the adapter variables). `base` holds the
 * pretrained weights.
 */
export function adapterOverrides(
  cfg: SasRecConfig,
  kind: AdapterKind,
  adapter: ReadonlyMap<string, tf.Tensor>,
  base: ReadonlyMap<string, tf.Tensor>,
): Map<string, tf.Tensor> {
  const get = (m: ReadonlyMap<string, tf.Tensor>, n: string): tf.Tensor => {
    const t = m.get(n);
    if (!t) throw new Error(`adapter: tensor "${n}" missing`);
    return t;
  };
  const out = new Map<string, tf.Tensor>();
  switch (kind) {
    case 'lora':
      for (let b = 0; b < cfg.blocks; b++) {
        for (const t of LORA_TARGETS) {
          const w = `block${b}/${t}`;
          const delta = tf.matMul(get(adapter, `lora/${w}/a`) as tf.Tensor2D, get(adapter, `lora/${w}/b`) as tf.Tensor2D); // [in, out]
          out.set(w, tf.add(get(base, w), delta));
        }
      }
      return out;
    case 'bias':
      out.set('final_ln_b', tf.add(get(base, 'final_ln_b'), get(adapter, 'bias/out')));
      return out;
    case 'userEmbedding':
      // [maxLen, d] + [d]: the same vector at every position of the window.
      out.set('pos_emb', tf.add(get(base, 'pos_emb'), get(adapter, 'user/in')));
      return out;
  }
}

/**
 * Puts pretrained + adapter into the model's variables for the adapted weights (the others are
 * left as they are). Ranking with the model then ranks with the adapter.
 */
export function mergeAdapter(model: SasRec, pretrained: ReadonlyMap<string, tf.Tensor>, stored: StoredAdapter): void {
  const vars = adapterVariables(model.config, stored);
  try {
    tf.tidy(() => {
      for (const [name, w] of adapterOverrides(model.config, stored.kind, vars, pretrained)) model.w(name).assign(w);
    });
  } finally {
    for (const v of vars.values()) v.dispose();
  }
}

/** Reads adapter variables back as a storable adapter. */
export async function readAdapter(kind: AdapterKind, rank: number, vars: ReadonlyMap<string, tf.Tensor>): Promise<StoredAdapter> {
  const tensors: Record<string, Float32Array> = {};
  for (const [n, v] of vars) tensors[n] = (await v.data()) as Float32Array;
  return { kind, rank: kind === 'lora' ? rank : 0, tensors };
}

/** Bytes of an adapter's values (float32). */
export function adapterBytes(a: StoredAdapter): number {
  return Object.values(a.tensors).reduce((s, t) => s + t.byteLength, 0);
}
