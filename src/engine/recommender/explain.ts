import * as tf from '@tensorflow/tfjs';
import type { SasRec } from '../model/sasrec';
import type { CatalogIndex } from '../rank/rankFeed';
import { yearBiasOf, type YearBiasFit } from '../rank/personYearBias';
import { interpretEvents } from '../signals';
import type { Explanation, InteractionEvent } from './types';

const TOP = 3;
/** Smallest release-year bias (added score) the explanation mentions. */
const YEAR_NOTE_MIN = 0.1;
const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * "Why this?": the history items whose vectors are most similar to the item's (cosine over the
 * item table), plus a summary of the liked genres it shares, and the person's release-year bias
 * when it moves the item up (`yearBias`: the fit the feed's scores used).
 */
export async function explainItem(model: SasRec, catalog: CatalogIndex, events: readonly InteractionEvent[], itemId: number, yearBias: YearBiasFit | null = null): Promise<Explanation> {
  const view = interpretEvents(events);
  const history = view.sequence.slice(-model.config.maxLen).filter((i) => i !== itemId);
  let because: { itemId: number; weight: number }[] = [];
  if (history.length > 0) {
    const sims = tf.tidy(() => {
      const table = model.itemTable();
      const unit = (t: tf.Tensor2D) => tf.div(t, tf.maximum(tf.norm(t, 'euclidean', 1, true), 1e-9));
      const target = unit(tf.gather(table, tf.tensor1d([itemId], 'int32')) as tf.Tensor2D); // [1, d]
      const hist = unit(tf.gather(table, tf.tensor1d(history, 'int32')) as tf.Tensor2D); // [n, d]
      return tf.reshape(tf.matMul(hist, target, false, true), [-1]);
    });
    const values = (await sims.data()) as Float32Array;
    sims.dispose();
    const ranked = history.map((id, i) => ({ itemId: id, sim: values[i] })).sort((a, b) => b.sim - a.sim).slice(0, TOP).filter((x) => x.sim > 0);
    const total = ranked.reduce((s, x) => s + x.sim, 0) || 1;
    because = ranked.map((x) => ({ itemId: x.itemId, weight: x.sim / total }));
  }
  const genres = catalog.byId.get(itemId)?.genres ?? [];
  const latest = events.reduce((m, e) => Math.max(m, e.at), 0);
  const recentLikes = events.filter((e) => e.type === 'like' && e.at >= latest - WEEK_MS);
  let summary = because.length ? 'Similar to titles in your history.' : 'Popular with many people.';
  for (const g of genres) {
    const n = recentLikes.filter((e) => catalog.byId.get(e.itemId)?.genres.includes(g)).length;
    if (n > 0) {
      summary = `You liked ${n} ${g} title${n === 1 ? '' : 's'} this week.`;
      break;
    }
  }
  // The person's release-year bias (rank/personYearBias.ts), when it moves this item up.
  const years = yearBiasOf(yearBias, catalog.byId.get(itemId)?.year ?? null);
  if (years && years.boost >= YEAR_NOTE_MIN) {
    summary += ` Films from ${years.years} rank higher for you: you have been choosing newer films than the model expected.`;
    return { itemId, because, summary, releaseYears: years };
  }
  return { itemId, because, summary };
}
