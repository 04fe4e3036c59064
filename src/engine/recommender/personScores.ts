import type { SasRec } from '../model/sasrec';
import { penalizeNearDisliked } from '../rank/dislikePenalty';
import { ItemTables } from '../rank/itemTables';
import { scoreCatalog } from '../rank/scoreCatalog';
import { personalScores } from '../rank/personalScores';
import type { FinetunePolicy } from '../train/finetunePolicy';
import type { HistoryRead } from './historyCache';

type ScorePolicy = Pick<FinetunePolicy, 'dislikePenalty' | 'shortHistoryPrior' | 'shortHistoryUntil'>;

/**
 * The person's state for the serve loop: the model's scores for the current history, computed
 * once per (weights version, history version), so re-ranks that change no history (the discover
 * control, paging, the seen toggle) only redo the cheap re-ranking. Holds the item table of the
 * current weights (`ItemTables`); call `weightsChanged()` whenever the live weights change.
 */
export class PersonScores {
  readonly tables: ItemTables;
  private readonly model: SasRec;
  private readonly policy: ScorePolicy;
  private readonly prior: Float32Array | null;
  private weightsVersion = 0;
  private entry: { weights: number; history: number; scores: Promise<Float32Array> } | null = null;
  /** Forward passes run (for tests and benchmarks: cache hits do not count). */
  computed = 0;

  constructor(model: SasRec, policy: ScorePolicy, prior: Float32Array | null) {
    this.model = model;
    this.policy = policy;
    this.prior = prior;
    this.tables = new ItemTables(model);
  }

  /** Scores (index = item id) for `history`; shared by every caller until history or weights change. Do not modify. */
  scores(history: HistoryRead): Promise<Float32Array> {
    const e = this.entry;
    if (e && history.version >= 0 && e.weights === this.weightsVersion && e.history === history.version) return e.scores;
    this.computed++;
    const scores = personalScores(this.model, history.view, this.policy, this.prior, this.tables);
    if (history.version >= 0) {
      const entry = { weights: this.weightsVersion, history: history.version, scores };
      this.entry = entry;
      scores.catch(() => { if (this.entry === entry) this.entry = null; });
    }
    return scores;
  }

  /**
   * Builds the item table of the current weights and runs one forward pass and one dislike
   * penalty, results discarded: called in idle time after loading, so the person's first like
   * and first "Not interested" do not pay for first use (measured on the shipped model, Node
   * WASM: first forward pass 71 ms and first penalty 49 ms, against 9-13 ms and 2-7 ms after).
   * Leaves the tensors a re-rank without dislikes leaves (the unit rows are rebuilt, about 7 ms,
   * at the first dislike).
   */
  async warm(itemId: number): Promise<void> {
    const scores = await scoreCatalog(this.model, [itemId], this.tables);
    await penalizeNearDisliked(this.model, scores, [itemId], 1, this.tables);
    this.tables.dropUnit();
  }

  /** The live weights changed: drop the item table and the cached scores. */
  weightsChanged(): void {
    this.weightsVersion++;
    this.tables.invalidate();
    this.entry = null;
  }

  dispose(): void {
    this.tables.dispose();
    this.entry = null;
  }
}
