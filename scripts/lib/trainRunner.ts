import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { EvalCase } from '../../src/engine/eval/rankTargets';
import { rankTargets } from '../../src/engine/eval/rankTargets';
import type { SasRecConfig } from '../../src/engine/model/config';
import { SasRec } from '../../src/engine/model/sasrec';
import { Adam, type AdamOptions } from '../../src/engine/train/adam';
import { lengthGroups, nextItemBatch } from '../../src/engine/train/batches';
import type { LossSpec } from '../../src/engine/train/losses';
import { Rng } from '../../src/engine/train/rng';
import { lossAndGrads } from '../../src/engine/train/trainStep';
import { loadModelFiles, loadOptimizer, saveModelFiles, saveOptimizer, writeAtomically } from './modelFiles';

/** What the pretrain loop needs from whoever holds the model: one process or several workers. */
export interface TrainRunner {
  /**
   * One optimisation step on these training sequences; `seed` drives dropout and negatives.
   * `gradScale` multiplies the batch's mean-loss gradient before the optimizer sees it (token
   * weighting, see TrainOptions.lossWeighting). Resolves with the (unscaled) mean loss.
   */
  step(sequences: Int32Array[], learningRate: number, seed: number, gradScale?: number): Promise<number>;
  /** 0-based full-ranking ranks of the cases' targets. */
  rank(cases: EvalCase[]): Promise<Int32Array>;
  /** Writes model files (and optionally optimizer state) atomically into `dir`. */
  save(dir: string, withOptimizer: boolean, extra?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface RunnerInit {
  config: SasRecConfig;
  seed: number;
  features: Float32Array | null;
  featureNames: string[];
  /** Checkpoint folder to resume from (model files + optimizer), or null for a fresh model. */
  resumeDir: string | null;
  /** Also load resumeDir's Adam state (default true; false starts Adam afresh on those weights). */
  resumeOptimizer?: boolean;
  adam: Partial<AdamOptions>;
  loss: LossSpec;
  /**
   * Compute each batch as groups of similar length and sum their gradients (for random,
   * unbucketed batches: same gradient as one padded batch, without the padding's compute).
   */
  groupByLength?: boolean;
}

/** Model replica + optimizer in this thread. Also the body of each data-parallel worker. */
export class LocalRunner implements TrainRunner {
  readonly model: SasRec;
  readonly optimizer: Adam;
  private readonly init: RunnerInit;

  constructor(init: RunnerInit) {
    this.init = init;
    const features = init.features
      ? (tf.tensor2d(init.features, [init.config.numItems + 1, init.featureNames.length]) as tf.Tensor2D)
      : null;
    if (init.resumeDir) {
      this.model = loadModelFiles(init.resumeDir).model;
      this.model.features?.dispose();
      this.model.features = features;
    } else {
      this.model = SasRec.create(init.config, init.seed, features);
    }
    this.optimizer = new Adam(this.model.weights, init.adam);
    if (init.resumeDir && init.resumeOptimizer !== false) this.optimizer.setState(loadOptimizer(init.resumeDir));
  }

  /** Loss, number of target rows and gradients as plain arrays (for averaging across workers). */
  async gradients(sequences: Int32Array[], seed: number): Promise<{ loss: number; rows: number; grads: Record<string, Float32Array> }> {
    const maxLen = this.model.config.maxLen;
    const groups = this.init.groupByLength
      ? lengthGroups(sequences.map((s) => Math.min(s.length - 1, maxLen))).map((g) => g.map((i) => sequences[i]))
      : [sequences];
    const rng = new Rng(seed);
    const out: Record<string, Float32Array> = {};
    let rows = 0;
    let lossSum = 0;
    for (const group of groups) {
      const batch = nextItemBatch(group, maxLen);
      if (batch.targets.length === 0) continue;
      const { loss, grads } = lossAndGrads(this.model, batch, this.init.loss, rng);
      const n = batch.targets.length;
      for (const [name, g] of grads) {
        const data = (await g.data()) as Float32Array;
        g.dispose();
        if (groups.length === 1) { out[name] = data; continue; }
        const acc = out[name] ?? (out[name] = new Float32Array(data.length));
        for (let i = 0; i < data.length; i++) acc[i] += data[i] * n;
      }
      lossSum += (await loss.data())[0] * n;
      loss.dispose();
      rows += n;
    }
    // Each group's gradient is of its own mean loss: weight by its targets, divide by all of them.
    if (groups.length > 1 && rows > 0) for (const acc of Object.values(out)) for (let i = 0; i < acc.length; i++) acc[i] /= rows;
    return { loss: rows > 0 ? lossSum / rows : 0, rows, grads: out };
  }

  apply(grads: Record<string, Float32Array>, learningRate: number): void {
    const map = new Map<string, tf.Tensor>();
    for (const [name, g] of Object.entries(grads)) map.set(name, tf.tensor(g, this.model.weights.get(name)?.shape));
    this.optimizer.apply(map, learningRate);
    for (const t of map.values()) t.dispose();
  }

  async step(sequences: Int32Array[], learningRate: number, seed: number, gradScale = 1): Promise<number> {
    if (this.init.groupByLength) {
      const { loss, grads } = await this.gradients(sequences, seed);
      if (gradScale !== 1) for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) g[i] *= gradScale;
      this.apply(grads, learningRate);
      return loss;
    }
    const batch = nextItemBatch(sequences, this.model.config.maxLen);
    const { loss, grads } = lossAndGrads(this.model, batch, this.init.loss, new Rng(seed));
    if (gradScale !== 1) {
      for (const [name, g] of grads) { grads.set(name, tf.mul(g, gradScale)); g.dispose(); }
    }
    this.optimizer.apply(grads, learningRate);
    for (const g of grads.values()) g.dispose();
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  }

  async rank(cases: EvalCase[]): Promise<Int32Array> {
    return (await rankTargets(this.model, cases)).ranks;
  }

  async save(dir: string, withOptimizer: boolean, extra: Record<string, string> = {}): Promise<void> {
    const opt = withOptimizer ? await this.optimizer.getState() : null;
    await writeAtomically(dir, async (tmp) => {
      await saveModelFiles(tmp, this.model, this.init.featureNames, 'float32');
      if (opt) saveOptimizer(tmp, opt);
      for (const [name, text] of Object.entries(extra)) writeFileSync(join(tmp, name), text);
    });
  }

  async close(): Promise<void> {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
