import * as tf from '@tensorflow/tfjs';
import { packSequences, type SasRec } from '../model/sasrec';

/** One evaluation case: the model sees `history`, must rank `target`; `exclude` items are removed. */
export interface EvalCase {
  history: ArrayLike<number>;
  target: number;
  exclude: ArrayLike<number>;
}

/** Ranks of the targets (and optional top-k lists) from `rankTargets`. */
export interface RankResult {
  /** 0-based rank of each target among all non-excluded items. */
  ranks: Int32Array;
  /** Top-`topK` item ids per case (excluded items removed), best first. */
  top: Int32Array[];
}

/**
 * Full-catalog ranking: rank = number of other non-excluded items scoring at least as high as the
 * target (ties count against it). Cases are processed in batches sorted by history length (less padding).
 */
export async function rankTargets(model: SasRec, cases: EvalCase[], opts: { batchSize?: number; topK?: number; sampledNegatives?: Int32Array[] } = {}): Promise<RankResult> {
  const batchSize = opts.batchSize ?? 256;
  const topK = opts.topK ?? 0;
  const ranks = new Int32Array(cases.length);
  const top: Int32Array[] = new Array(cases.length);
  const order = cases.map((_, i) => i).sort((a, b) => cases[a].history.length - cases[b].history.length);
  const vocab = model.config.numItems + 1;
  const table = model.itemTable();
  try {
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const seqs = packSequences(idx.map((i) => cases[i].history), model.config.maxLen);
      const scoresT = model.scoreLast(seqs, table);
      seqs.dispose();
      const scores = (await scoresT.data()) as Float32Array;
      scoresT.dispose();
      idx.forEach((ci, r) => {
        const row = scores.subarray(r * vocab, (r + 1) * vocab);
        const c = cases[ci];
        const excluded = new Uint8Array(vocab);
        excluded[0] = 1;
        for (let j = 0; j < c.exclude.length; j++) excluded[c.exclude[j]] = 1;
        excluded[c.target] = 0;
        const ts = row[c.target];
        let rank = 0;
        const negs = opts.sampledNegatives?.[ci];
        if (negs) {
          for (let j = 0; j < negs.length; j++) if (negs[j] !== c.target && row[negs[j]] >= ts) rank++;
        } else {
          for (let j = 1; j < vocab; j++) if (j !== c.target && !excluded[j] && row[j] >= ts) rank++;
        }
        ranks[ci] = rank;
        if (topK > 0) {
          excluded[c.target] = 0;
          top[ci] = topItems(row, topK, (j) => excluded[j] === 1 && j !== c.target ? true : j === 0);
        }
      });
    }
  } finally {
    table.dispose();
  }
  return { ranks, top };
}

/** Indices of the k largest scores, skipping `skip(j)` items, best first. */
export function topItems(scores: ArrayLike<number>, k: number, skip: (j: number) => boolean): Int32Array {
  const ids: number[] = [];
  const vals: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    if (skip(j)) continue;
    const v = scores[j];
    if (ids.length < k) {
      let p = ids.length;
      ids.push(j); vals.push(v);
      while (p > 0 && vals[p - 1] < v) { ids[p] = ids[p - 1]; vals[p] = vals[p - 1]; p--; }
      ids[p] = j; vals[p] = v;
    } else if (v > vals[k - 1]) {
      let p = k - 1;
      while (p > 0 && vals[p - 1] < v) { ids[p] = ids[p - 1]; vals[p] = vals[p - 1]; p--; }
      ids[p] = j; vals[p] = v;
    }
  }
  return Int32Array.from(ids);
}
