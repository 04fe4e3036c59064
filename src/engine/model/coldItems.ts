import * as tf from '@tensorflow/tfjs';
import type { CatalogItem } from '../data/catalog';
import { featureRow, type FeatureItem } from '../data/itemFeatures';
import { LocalRecError } from '../errors';
import { SasRec } from './sasrec';

/**
 * What an item without a trained ID embedding gets as its ID part: zeros (its vector is then its
 * content projection alone) or the mean trained ID embedding (content plus "an average item").
 */
export type ColdIdInit = 'zero' | 'mean';

/**
 * Mean of the item_emb rows 1..numItems not in `skip` ([1, dim]), weighted by `weights[i]` when
 * given (e.g. training interactions per item: the ID part of an average interaction).
 */
function meanIdRow(emb: tf.Tensor2D, skip: ReadonlySet<number>, weights?: ArrayLike<number>): tf.Tensor2D {
  return tf.tidy(() => {
    const n = emb.shape[0];
    const mask = new Float32Array(n);
    for (let i = 1; i < n; i++) if (!skip.has(i)) mask[i] = weights ? Math.max(0, weights[i] ?? 0) : 1;
    const count = mask.reduce((s, v) => s + v, 0) || 1;
    return tf.div(tf.matMul(tf.tensor2d(mask, [1, n]), emb), count) as tf.Tensor2D;
  });
}

/**
 * Item cold start on a loaded model, in place: the ID embedding rows of `items` (never trained,
 * e.g. items held out of pretraining) are replaced by zeros or the mean of the other rows, so
 * those items are scored from their content features. Row 0 (padding) stays zero. `meanWeights`
 * (index = item id) weights the mean, e.g. by popularity.
 */
export function resetIdRows(model: SasRec, items: readonly number[], init: ColdIdInit = 'zero', meanWeights?: ArrayLike<number>): void {
  const n = model.config.numItems;
  for (const i of items) {
    if (!Number.isInteger(i) || i < 1 || i > n) throw new LocalRecError('INVALID_INPUT', `resetIdRows: item ${i} is not an item of this model (1..${n}).`);
  }
  const emb = model.w('item_emb');
  const next = tf.tidy(() => {
    const skip = new Set(items);
    const keep = new Float32Array(n + 1).fill(1);
    const cold = new Float32Array(n + 1);
    for (const i of items) { keep[i] = 0; cold[i] = 1; }
    let out = tf.mul(emb, tf.tensor2d(keep, [n + 1, 1]));
    if (init === 'mean') out = tf.add(out, tf.mul(tf.tensor2d(cold, [n + 1, 1]), meanIdRow(emb as tf.Tensor2D, skip, meanWeights)));
    return out;
  });
  emb.assign(next);
  next.dispose();
}

/**
 * Items added to the catalog at run time get vectors without retraining: returns a NEW model
 * whose tables have rows for `items` (ids must continue the model's: numItems+1, numItems+2, ...),
 * with the ID part zero or the mean trained ID embedding, and the content part computed from the
 * items' genres, year and (for a model trained with title words) title over the model's `featureNames`. The given model is left untouched
 * (the caller disposes it). Needs a model with a content tower (numFeatures > 0).
 */
export function withAddedItems(
  model: SasRec,
  featureNames: readonly string[],
  items: readonly (FeatureItem & Pick<CatalogItem, 'id'>)[],
  init: ColdIdInit = 'zero',
  meanWeights?: ArrayLike<number>,
): SasRec {
  const { numItems, numFeatures } = model.config;
  if (numFeatures === 0 || !model.features) {
    throw new LocalRecError('INVALID_INPUT', 'This model has no content features, so new items cannot get vectors without retraining. Use a model pretrained with content features.');
  }
  if (featureNames.length !== numFeatures) {
    throw new LocalRecError('INVALID_INPUT', `featureNames has ${featureNames.length} names but the model has ${numFeatures} features. Pass the featureNames stored in model.json.`);
  }
  const sorted = [...items].sort((a, b) => a.id - b.id);
  sorted.forEach((it, k) => {
    if (it.id !== numItems + 1 + k) {
      throw new LocalRecError('INVALID_INPUT', `New item ids must continue the model's ids (${numItems + 1}, ${numItems + 2}, ...); got ${it.id}. Number new catalog items after the last known one.`);
    }
  });
  const vocab = [...featureNames];
  const known = new Set(vocab);
  const rows = new Float32Array(sorted.length * numFeatures);
  sorted.forEach((it, k) => {
    const row = featureRow(it, vocab);
    if (!row.some((v) => v > 0)) {
      const names = [...it.genres.map((g) => `genre:${g}`)].filter((f) => !known.has(f));
      throw new LocalRecError('INVALID_INPUT', `Item ${it.id} has no genre, year or title word the model knows${names.length ? ` (unknown: ${names.join(', ')})` : ''}; it cannot be scored from content.`);
    }
    rows.set(row, k * numFeatures);
  });
  const weights = new Map<string, tf.Variable>();
  const features = tf.tidy(() => tf.concat([model.features as tf.Tensor2D, tf.tensor2d(rows, [sorted.length, numFeatures])]) as tf.Tensor2D);
  for (const [name, v] of model.weights) {
    const init2 = name === 'item_emb'
      ? tf.tidy(() => {
          const extra = init === 'mean'
            ? tf.tile(meanIdRow(v as tf.Tensor2D, new Set(), meanWeights), [sorted.length, 1])
            : tf.zeros([sorted.length, model.config.dim]);
          return tf.concat([v, extra]);
        })
      : tf.clone(v);
    weights.set(name, tf.variable(init2, true));
    init2.dispose();
  }
  return new SasRec({ ...model.config, numItems: numItems + sorted.length }, weights, features);
}
