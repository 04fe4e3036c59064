import * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';
import {
  adaptedWeights, adapterOverrides, adapterVariables, deltaTensorNames, initAdapter, readAdapter,
  type AdapterKind, type StoredAdapter,
} from './adapters';
import { trainableNames, type FinetunePolicy } from './finetunePolicy';
import type { TrainedRows } from './rowTraining';
import { readScalar, sumAll } from './scalars';

/**
 * What one fine-tuning run optimises, behind one interface: the model's own weights (a subset,
 * `whole`/`lastBlock`) or a person's adapter on top of the pretrained weights. `finetune` runs
 * the same loop, regularisation, drift cap and rollback over either.
 */
export interface FinetuneParams {
  /** The variables Adam updates, by name (model weight names, `item_emb` as the run's rows under sampled softmax; or adapter tensor names). */
  readonly vars: Map<string, tf.Variable>;
  /** Model weights that may end up different from the pretrained ones. */
  readonly changed: string[];
  /** Overrides for a forward pass (inside a tidy or gradient scope); null = the model's weights. */
  params(): Map<string, tf.Tensor> | null;
  /** sum ||w_effective - w_pretrained||^2 over `changed` (inside a tidy or gradient scope). */
  deltaSq(): tf.Scalar;
  /** ||w_pretrained|| over the weights the drift is measured against. */
  readonly anchorNorm: number;
  /** Multiplies the change from the pretrained weights by k. */
  scaleDelta(k: number): void;
  /** Makes the effective weights the pretrained ones. */
  toPretrained(): void;
  /**
   * Writes the effective weights into the model: an adapter merged, or the run's trained item rows
   * (sampled softmax); the other weights train in place.
   */
  commit(): void;
  /**
   * The model weights that `values` (a snapshot of `vars`) give, by name: new tensors the caller
   * disposes (clones for the weight mechanisms, the run's item rows written over the whole
   * `item_emb`, pretrained + adapter for an adapter).
   */
  effective(values: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor>;
  /** The adapter to store (null for the weight mechanisms). */
  read(): Promise<StoredAdapter | null>;
  dispose(): void;
}

const sumSq = (ts: tf.Tensor[]): tf.Scalar => sumAll(ts.map((t) => tf.sum(tf.square(t)))) as tf.Scalar;

async function normOf(ts: tf.Tensor[]): Promise<number> {
  return Math.sqrt(await readScalar(tf.tidy(() => sumSq(ts))));
}

function need(pretrained: ReadonlyMap<string, tf.Tensor>, name: string): tf.Tensor {
  const t = pretrained.get(name);
  if (!t) throw new Error(`finetune: pretrained weight "${name}" missing`);
  return t;
}

/**
 * The model's own weights (policy.trainable), trained in place. With `rows` (sampled softmax on a
 * large catalog) `item_emb` is trained as the run's rows only: its variable is `rows.rows`, its
 * anchor the same rows of the pretrained table, and `commit` writes them into the model. The
 * drift stays relative to the whole pretrained parameters (rows outside the run are unchanged).
 */
async function weightParams(model: SasRec, pretrained: ReadonlyMap<string, tf.Tensor>, policy: FinetunePolicy, rows: TrainedRows | null): Promise<FinetuneParams> {
  const names = trainableNames(model.weights.keys(), policy.trainable, model.config.blocks);
  const byRows = (n: string) => n === 'item_emb' && rows !== null;
  const whole = names.map((n) => need(pretrained, n));
  const anchor = names.map((n, i) => (byRows(n) ? (rows as TrainedRows).gatherFrom(whole[i]) : whole[i]));
  const vars = new Map(names.map((n) => [n, byRows(n) ? (rows as TrainedRows).rows : model.w(n)]));
  const list = [...vars.values()];
  return {
    vars,
    changed: names,
    params: () => null,
    deltaSq: () => sumSq(list.map((v, i) => tf.sub(v, anchor[i]))),
    anchorNorm: await normOf(whole),
    scaleDelta: (k) => tf.tidy(() => list.forEach((v, i) => v.assign(tf.add(anchor[i], tf.mul(tf.sub(v, anchor[i]), k))))),
    toPretrained: () => list.forEach((v, i) => v.assign(anchor[i])),
    commit: () => { if (rows && vars.has('item_emb')) rows.writeBack(); },
    effective: (values) => new Map([...values].map(([n, t]) => [n, byRows(n) ? (rows as TrainedRows).expand(t) : tf.clone(t)])),
    read: async () => null,
    dispose: () => anchor.forEach((a, i) => { if (a !== whole[i]) a.dispose(); }),
  };
}

/** A person's adapter over the pretrained weights (the model's own adapted weights are only written by `commit`). */
async function adapterParams(model: SasRec, pretrained: ReadonlyMap<string, tf.Tensor>, kind: AdapterKind, rank: number, start: StoredAdapter | null): Promise<FinetuneParams> {
  const cfg = model.config;
  const fresh = !start || start.kind !== kind || (kind === 'lora' && start.rank !== rank);
  const changed = adaptedWeights(cfg, kind);
  const base = new Map(changed.map((n) => [n, need(pretrained, n)]));
  // A bias vector is measured against the whole final LayerNorm (its shift alone is near zero).
  const driftNames = kind === 'bias' ? ['final_ln_g', 'final_ln_b'] : changed;
  const anchorNorm = await normOf(driftNames.map((n) => need(pretrained, n)));
  const vars = fresh ? initAdapter(cfg, kind, rank) : adapterVariables(cfg, start);
  const scaled = deltaTensorNames(kind, vars.keys());
  const overrides = () => adapterOverrides(cfg, kind, vars, base);
  return {
    vars,
    changed,
    params: overrides,
    deltaSq: () => {
      const o = overrides();
      return sumSq(changed.map((n) => tf.sub(o.get(n) as tf.Tensor, base.get(n) as tf.Tensor)));
    },
    anchorNorm,
    scaleDelta: (k) => tf.tidy(() => { for (const n of scaled) (vars.get(n) as tf.Variable).assign(tf.mul(vars.get(n) as tf.Variable, k)); }),
    toPretrained: () => tf.tidy(() => { for (const n of scaled) (vars.get(n) as tf.Variable).assign(tf.zerosLike(vars.get(n) as tf.Variable)); }),
    commit: () => tf.tidy(() => { for (const [n, w] of overrides()) model.w(n).assign(w); }),
    effective: (values) => {
      const out = new Map<string, tf.Tensor>();
      tf.tidy(() => { for (const [n, w] of adapterOverrides(cfg, kind, values, base)) out.set(n, tf.keep(w)); });
      return out;
    },
    read: () => readAdapter(kind, rank, vars),
    dispose: () => { for (const v of vars.values()) v.dispose(); },
  };
}

/**
 * The parameters a policy trains: `policy.adapter` 'none' = the model's weights (`trainable`),
 * `item_emb` as `rows` when given (sampled softmax), else a person's adapter, continued from
 * `start` when it is of the same kind and rank (an adapter never trains `item_emb`). `rows` stays
 * the caller's to dispose.
 */
export function finetuneParams(
  model: SasRec,
  pretrained: ReadonlyMap<string, tf.Tensor>,
  policy: FinetunePolicy,
  start: StoredAdapter | null,
  rows: TrainedRows | null = null,
): Promise<FinetuneParams> {
  return policy.adapter === 'none'
    ? weightParams(model, pretrained, policy, rows)
    : adapterParams(model, pretrained, policy.adapter, policy.adapterRank, start);
}

/** Names of the model weights a policy may change (without allocating anything). */
export function changedWeightNames(model: SasRec, policy: FinetunePolicy): string[] {
  return policy.adapter === 'none'
    ? trainableNames(model.weights.keys(), policy.trainable, model.config.blocks)
    : adaptedWeights(model.config, policy.adapter);
}
