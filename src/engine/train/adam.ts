import * as tf from '@tensorflow/tfjs';
import type { SparseMoments } from './sparseRows';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (AdamW); 0 disables it. */
  weightDecay: number;
  /** Clip the global gradient norm to this value; 0 disables clipping. */
  clipNorm: number;
}

export const DEFAULT_ADAM: AdamOptions = { beta1: 0.9, beta2: 0.98, epsilon: 1e-9, weightDecay: 0, clipNorm: 5 };

/** Serializable optimizer state (moments per parameter name). */
export interface AdamState {
  step: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
  /**
   * Moments of parameters trained by rows (fine-tuning on a large catalog: the item-embedding
   * rows a run touched), kept apart from `m`/`v`; absent in states written before.
   */
  rows?: Record<string, SparseMoments>;
}

/**
 * Adam(W) over a named set of variables, with the learning rate passed per step (schedules),
 * global-norm clipping and state that can be saved and restored (checkpoints, on-device resume).
 */
export class Adam {
  readonly options: AdamOptions;
  step = 0;
  private readonly vars: Map<string, tf.Variable>;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(vars: Map<string, tf.Variable>, options: Partial<AdamOptions> = {}) {
    this.options = { ...DEFAULT_ADAM, ...options };
    this.vars = vars;
    // tf.variable does not own its init tensor: make the zeros inside a tidy.
    tf.tidy(() => {
      for (const [name, w] of vars) {
        this.m.set(name, tf.variable(tf.zerosLike(w), false));
        this.v.set(name, tf.variable(tf.zerosLike(w), false));
      }
    });
  }

  /** Applies one update. `grads` are keyed like `vars`; they are not disposed here. */
  apply(grads: Map<string, tf.Tensor>, learningRate: number): void {
    this.step += 1;
    const { beta1, beta2, epsilon, weightDecay, clipNorm } = this.options;
    const c1 = 1 - Math.pow(beta1, this.step);
    const c2 = 1 - Math.pow(beta2, this.step);
    tf.tidy(() => {
      let scale: tf.Scalar | null = null;
      if (clipNorm > 0) {
        const sq = [...grads.values()].map((g) => tf.sum(tf.square(g)));
        // Pairwise sum: WebGPU's addN returns zeros for more than 8 inputs.
        const norm = tf.sqrt(sq.reduce((a, b) => tf.add(a, b)));
        scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12))) as tf.Scalar;
      }
      for (const [name, g0] of grads) {
        const w = this.vars.get(name);
        const m = this.m.get(name);
        const v = this.v.get(name);
        if (!w || !m || !v) throw new Error(`Adam: unknown parameter "${name}"`);
        const g = scale ? tf.mul(g0, scale) : g0;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        let next = tf.sub(w, tf.mul(update, learningRate));
        if (weightDecay > 0) next = tf.sub(next, tf.mul(w, learningRate * weightDecay));
        w.assign(next);
      }
    });
  }

  async getState(): Promise<AdamState> {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [name, t] of this.m) m[name] = (await t.data()) as Float32Array;
    for (const [name, t] of this.v) v[name] = (await t.data()) as Float32Array;
    return { step: this.step, m, v };
  }

  setState(state: AdamState): void {
    this.step = state.step;
    for (const [name, t] of this.m) {
      const src = state.m[name];
      if (src) tf.tidy(() => t.assign(tf.tensor(src, t.shape)));
    }
    for (const [name, t] of this.v) {
      const src = state.v[name];
      if (src) tf.tidy(() => t.assign(tf.tensor(src, t.shape)));
    }
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
  }
}
