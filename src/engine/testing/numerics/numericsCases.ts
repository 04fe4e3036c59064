import type { SasRec } from '../../model/sasrec';
import type { AdamState } from '../../train/adam';
import { Rng } from '../../train/rng';
import { readWeights, type FeatureArray, type WeightArrays } from '../modelCopy';
import type { NumericsCase } from './numericsRun';

/** How a case is cut from a model. */
export interface CaseShape {
  /** Keep items 1..numItems only (a slice of a large catalog); default all. */
  numItems?: number;
  /** Longest history in the batch. */
  seqLen: number;
  /** Histories in the batch. */
  rows: number;
  seed: number;
}

/**
 * Histories that repeat items inside a row and across rows: each row draws from a pool of
 * four items (the first one shared by every row), so the embedding gradient scatter-adds several
 * contributions into the same rows.
 */
export function repeatingSequences(numItems: number, s: CaseShape): Int32Array[] {
  const rng = new Rng(s.seed);
  const shared = rng.int(1, numItems + 1);
  const out: Int32Array[] = [];
  for (let r = 0; r < s.rows; r++) {
    const pool = [shared, rng.int(1, numItems + 1), rng.int(1, numItems + 1), rng.int(1, numItems + 1)];
    const len = Math.max(4, s.seqLen - (r % 3));
    const row = new Int32Array(len);
    for (let i = 0; i < len; i++) row[i] = pool[rng.int(0, pool.length)];
    row[0] = shared;
    row[len - 1] = shared;
    out.push(row);
  }
  return out;
}

/** Optimizer moments away from zero, so one Adam step depends smoothly on the gradient (not on its sign). */
export function adamStateFor(weights: WeightArrays): AdamState {
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  for (const [name, { data }] of weights) {
    const mm = new Float32Array(data.length);
    const vv = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      mm[i] = 1e-3 * Math.sin(0.7 * i + name.length);
      vv[i] = 1e-5 * (1 + ((i * 13) % 10) / 10);
    }
    m[name] = mm;
    v[name] = vv;
  }
  return { step: 3, m, v };
}

/** Copies a model's weights (and item features), keeping items 0..numItems only. */
async function slicedArrays(model: SasRec, numItems: number): Promise<{ weights: WeightArrays; features: FeatureArray | null }> {
  const all = await readWeights(model);
  const weights: WeightArrays = new Map();
  for (const [name, w] of all) {
    if (name !== 'item_emb') { weights.set(name, w); continue; }
    const dim = w.shape[1];
    weights.set(name, { data: w.data.slice(0, (numItems + 1) * dim), shape: [numItems + 1, dim] });
  }
  let features: FeatureArray | null = null;
  if (model.features) {
    const cols = model.features.shape[1];
    const data = (await model.features.data()) as Float32Array;
    features = { data: data.slice(0, (numItems + 1) * cols), shape: [numItems + 1, cols] };
  }
  return { weights, features };
}

/** A numerics case from a loaded model (read on any backend; the copy is plain arrays). */
export async function caseFromModel(name: string, model: SasRec, shape: CaseShape): Promise<NumericsCase> {
  const numItems = Math.min(shape.numItems ?? model.config.numItems, model.config.numItems);
  const { weights, features } = await slicedArrays(model, numItems);
  const sequences = repeatingSequences(numItems, shape);
  const rng = new Rng(shape.seed + 1);
  const pick = () => rng.int(1, numItems + 1);
  const a = pick();
  const b = pick();
  const sequence = [a, b, a, pick(), b, pick(), a, pick()];
  return {
    name,
    config: { ...model.config, numItems, dropout: 0, idDropout: 0 },
    weights,
    features,
    sequences,
    adam: adamStateFor(weights),
    learningRate: 1e-3,
    finetune: {
      history: { sequence, weights: sequence.map((_, i) => (i % 2 ? 0.6 : 1)), disliked: [pick(), pick()] },
      replay: [[a, pick(), a, pick(), pick()], [b, b, pick(), a]],
    },
  };
}
