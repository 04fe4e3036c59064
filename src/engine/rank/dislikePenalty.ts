import type { SasRec } from '../model/sasrec';
import type { ItemTables } from './itemTables';
import { nearSimilarity, type NearDislikedCache } from './nearDisliked';

/**
 * Rank-time explicit-negative feedback: lowers the score of every item in proportion to how close
 * its vector is to the person's disliked items (cosine similarity over the model's item table,
 * the closest disliked item counts, negative similarity counts as 0). The step is
 * `strength * spread`, where spread is the standard deviation of the scores, so `strength` means
 * the same on any model: 1 moves an item identical to a disliked one down by one standard
 * deviation. Returns new scores (index = item id, as `scoreCatalog` gives them); the input is
 * not changed. No dislikes or strength 0: a copy of the input. `tables`: the cached item table
 * of the current weights (without it the table is rebuilt and normalised here). `near`: a cache of
 * the similarity vector across calls (the engine keeps one per person; same output as without).
 */
export async function penalizeNearDisliked(
  model: SasRec,
  scores: Float32Array,
  disliked: readonly number[],
  strength: number,
  tables: ItemTables | null = null,
  near: NearDislikedCache | null = null,
): Promise<Float32Array> {
  const out = Float32Array.from(scores);
  const vocab = model.config.numItems + 1;
  const ids = [...new Set(disliked)].filter((d) => d > 0 && d < vocab);
  if (ids.length === 0 || strength <= 0) return out;
  const sim = near ? await near.similarity(model, ids, tables) : await nearSimilarity(model, ids, tables); // [vocab]
  let n = 0, sum = 0, sq = 0;
  for (let i = 1; i < out.length; i++) {
    if (!Number.isFinite(out[i]) || out[i] < -1e8) continue;
    n++; sum += out[i]; sq += out[i] * out[i];
  }
  const spread = n > 1 ? Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2)) : 1;
  for (let i = 1; i < out.length; i++) out[i] -= strength * spread * sim[i];
  return out;
}
