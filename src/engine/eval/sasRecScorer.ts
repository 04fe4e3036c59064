import { packSequences, type SasRec } from '../model/sasrec';
import type { Scorer } from './scorer';

/**
 * Scores with a SASRec model: the item table is computed once, then each batch of histories
 * (right-aligned, newest maxLen items) is scored in one forward pass. Call `dispose()` to free
 * the table (the model stays owned by the caller).
 */
export function sasRecScorer(model: SasRec, opts: { batchSize?: number; name?: string } = {}): Scorer {
  const table = model.itemTable();
  return {
    name: opts.name ?? 'sasrec',
    batchSize: opts.batchSize ?? 256,
    async score(histories) {
      const seqs = packSequences(histories, model.config.maxLen);
      const scores = model.scoreLast(seqs, table); // [batch, numItems+1]
      seqs.dispose();
      try {
        return (await scores.data()) as Float32Array;
      } finally {
        scores.dispose();
      }
    },
    dispose() {
      table.dispose();
    },
  };
}
