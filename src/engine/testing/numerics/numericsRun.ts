import * as tf from '@tensorflow/tfjs';
import type { SasRecConfig } from '../../model/config';
import { packSequences } from '../../model/sasrec';
import { Adam, type AdamState } from '../../train/adam';
import { nextItemBatch } from '../../train/batches';
import { adaptedWeights, initAdapter } from '../../train/adapters';
import { finetune, type FinetuneHistory } from '../../train/finetune';
import type { FinetuneResult } from '../../train/finetuneTypes';
import { resolvePolicy, type FinetunePolicy } from '../../train/finetunePolicy';
import type { LossSpec } from '../../train/losses';
import { Rng } from '../../train/rng';
import { lossAndGrads } from '../../train/trainStep';
import { modelFromArrays, readWeights, type FeatureArray, type WeightArrays } from '../modelCopy';
import { adamStateFor } from './numericsCases';
import { float32Ulp, maxAbsOf, type NumericsValues } from './compareNumbers';

/** One model and batch whose numbers every backend must agree on. */
export interface NumericsCase {
  name: string;
  /** Dropout off: the comparison is of arithmetic, not of random masks. */
  config: SasRecConfig;
  weights: WeightArrays;
  features: FeatureArray | null;
  /** Histories, oldest first, with items repeated inside a row and across rows. */
  sequences: Int32Array[];
  /** Optimizer state the Adam step and the fine-tuning step start from (same on every backend). */
  adam: AdamState;
  learningRate: number;
  /**
   * One step of the engine's fine-tuning (dislike term, replay distillation, L2, clipping, Adam),
   * of the model's own weights and of a per-person LoRA adapter (the app's default mechanism).
   */
  finetune: { history: FinetuneHistory; replay: number[][] };
}

/** The pretraining losses whose gradients are compared. */
export const LOSS_SPECS: readonly LossSpec[] = [{ kind: 'ce' }, { kind: 'sampled', numNegatives: 24 }, { kind: 'bce' }];

/** What one backend computed for a case, and how many tensors the run left behind. */
export interface CaseRun {
  values: NumericsValues;
  /**
   * Absolute allowance per entry: a fine-tuning step read back as (weights after - weights before) carries the
   * float32 rounding of the weights it was added to, one unit in the last place of the largest.
   */
  floors: Record<string, number>;
  leakedTensors: number;
}

function weightDeltas(prefix: string, before: WeightArrays, after: WeightArrays, run: CaseRun): void {
  for (const [name, b] of before) {
    const a = after.get(name);
    if (!a) continue;
    const d = new Float32Array(b.data.length);
    for (let i = 0; i < d.length; i++) d[i] = a.data[i] - b.data[i];
    run.values[`${prefix}/${name}`] = d;
    run.floors[`${prefix}/${name}`] = float32Ulp(Math.max(maxAbsOf(a.data), maxAbsOf(b.data)));
  }
}

/**
 * Runs a case on the active tfjs backend with the engine's own code: forward scores (`scoreLast`),
 * loss and the gradient of every weight for each pretraining loss (`lossAndGrads`), one `Adam`
 * step from `adam` with clipping, and one `finetune` step. Throws when a weight gets no gradient.
 */
export async function runCase(c: NumericsCase): Promise<CaseRun> {
  const start = tf.memory().numTensors;
  const run: CaseRun = { values: {}, floors: {}, leakedTensors: 0 };
  const values = run.values;
  const model = modelFromArrays(c.config, c.weights, c.features);
  try {
    const seqs = packSequences(c.sequences, c.config.maxLen);
    // Column 0 is the padding item's -1e9: left out, it would set the scale of the whole entry.
    const scores = tf.tidy(() => tf.slice(model.scoreLast(seqs), [0, 1], [-1, -1]));
    values['forward/scores'] = (await scores.data()) as Float32Array;
    tf.dispose([seqs, scores]);

    const batch = nextItemBatch(c.sequences, c.config.maxLen);
    let ceGrads: Map<string, tf.Tensor> | null = null;
    for (const spec of LOSS_SPECS) {
      const { loss, grads } = lossAndGrads(model, batch, spec, new Rng(7));
      values[`loss/${spec.kind}`] = (await loss.data()) as Float32Array;
      loss.dispose();
      const missing = [...model.weights.keys()].filter((n) => !grads.has(n));
      if (missing.length) {
        tf.dispose([...grads.values()]);
        throw new Error(`${c.name}: no ${spec.kind} gradient for ${missing.join(', ')}`);
      }
      for (const [name, g] of grads) values[`${spec.kind}/grad/${name}`] = (await g.data()) as Float32Array;
      if (spec.kind === 'ce') ceGrads = grads;
      else tf.dispose([...grads.values()]);
    }
    if (ceGrads) await adamStep(c, ceGrads, run);
  } finally {
    model.dispose();
  }
  await finetuneStep(c, run);
  await loraStep(c, run);
  run.leakedTensors = tf.memory().numTensors - start;
  return run;
}

/**
 * One `Adam.apply` (clip norm 1) from the case's state, applied to zero-valued copies of the
 * weights (no weight decay, so the update does not depend on them): what is read back is the step
 * itself, without the float32 rounding of adding it to weights of size ~1.
 */
async function adamStep(c: NumericsCase, grads: Map<string, tf.Tensor>, run: CaseRun): Promise<void> {
  const vars = new Map([...grads].map(([n, g]) => [n, tf.tidy(() => tf.variable(tf.zerosLike(g), false))] as [string, tf.Variable]));
  const adam = new Adam(vars, { clipNorm: 1 });
  try {
    adam.setState(c.adam);
    adam.apply(grads, c.learningRate);
    for (const [name, v] of vars) run.values[`adam/${name}`] = (await v.data()) as Float32Array;
  } finally {
    adam.dispose();
    tf.dispose([...grads.values(), ...vars.values()]);
  }
}

/**
 * One `finetune` step on a fresh copy of the case's model with `policy` over the shared settings,
 * always kept (what is compared is the step, not the rollback decision); records its loss and
 * held-out losses as `loss/<name>` and hands the result and the model after it to `read`.
 */
async function oneFinetuneStep(
  c: NumericsCase, run: CaseRun, name: string, policy: Partial<FinetunePolicy>, optimizerState: AdamState,
  read: (r: FinetuneResult, after: WeightArrays) => void,
): Promise<void> {
  const model = modelFromArrays(c.config, c.weights, c.features);
  const pretrained = new Map([...model.weights].map(([n, v]) => [n, tf.clone(v)] as [string, tf.Tensor]));
  try {
    let stepLoss = NaN;
    const r = await finetune({
      model,
      pretrained,
      history: c.finetune.history,
      replay: c.finetune.replay,
      optimizerState,
      policy: resolvePolicy({ steps: 1, validateEvery: 1, tolerance: 1e9, maxDrift: 0, dislikeWeight: 1, replayRows: c.finetune.replay.length, learningRate: c.learningRate, ...policy }),
      onStep: (_s, _of, loss) => { stepLoss = loss; },
    });
    if (!r.accepted) throw new Error(`${c.name}: the ${name} step was not kept (${r.reason})`);
    if (r.optimizerState?.step !== optimizerState.step + 1) throw new Error(`${c.name}: the ${name} step did not continue the given optimizer state`);
    run.values[`loss/${name}`] = [stepLoss, r.valBefore ?? NaN, r.valAfter ?? NaN];
    read(r, await readWeights(model));
  } finally {
    model.dispose();
    tf.dispose([...pretrained.values()]);
  }
}

/** A step of the model's own weights from the case's optimizer state: every weight's change. */
async function finetuneStep(c: NumericsCase, run: CaseRun): Promise<void> {
  await oneFinetuneStep(c, run, 'finetune', { adapter: 'none' }, c.adam, (_r, after) => weightDeltas('finetune', c.weights, after, run));
}

/** Rank of the LoRA adapter in the numerics case (small: the case is about arithmetic, not capacity). */
export const NUMERICS_LORA_RANK = 2;

/**
 * One step of a fresh LoRA adapter (the seeded initialisation is drawn in JavaScript, so it is the
 * same on every backend) from optimizer moments away from zero. Compared: the adapter's change
 * (`lora/<tensor>`: the `a` matrices less their initial values, the `b` matrices), the model
 * weights with the adapter merged in, less the pretrained ones (`lora-merge/<weight>`), and the loss.
 */
async function loraStep(c: NumericsCase, run: CaseRun): Promise<void> {
  const initial: WeightArrays = new Map();
  const init = initAdapter(c.config, 'lora', NUMERICS_LORA_RANK);
  try {
    for (const [n, v] of init) initial.set(n, { data: (await v.data()) as Float32Array, shape: v.shape });
  } finally {
    tf.dispose([...init.values()]);
  }
  const adapted = new Set(adaptedWeights(c.config, 'lora'));
  await oneFinetuneStep(c, run, 'lora', { adapter: 'lora', adapterRank: NUMERICS_LORA_RANK }, adamStateFor(initial), (r, after) => {
    if (!r.adapter) throw new Error(`${c.name}: the LoRA step returned no adapter`);
    const tensors = r.adapter.tensors;
    const unexpected = Object.keys(tensors).filter((n) => !initial.has(n));
    if (unexpected.length) throw new Error(`${c.name}: unexpected adapter tensor(s) ${unexpected.join(', ')}`);
    weightDeltas('lora', initial, new Map(Object.entries(tensors).map(([n, data]) => [n, { data, shape: initial.get(n)?.shape ?? [] }])), run);
    weightDeltas('lora-merge', new Map([...c.weights].filter(([n]) => adapted.has(n))), after, run);
  });
}
