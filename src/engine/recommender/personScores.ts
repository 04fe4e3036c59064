import * as tf from '@tensorflow/tfjs';
import { FetchedRows, IncrementalEncoder, incrementalUnsupported } from '../model/incrementalEncoder';
import type { SasRec } from '../model/sasrec';
import { penalizeNearDisliked } from '../rank/dislikePenalty';
import { ItemTables } from '../rank/itemTables';
import { NearDislikedCache } from '../rank/nearDisliked';
import { adjustScores, scoreRows, type ScorePolicy } from '../rank/personalScores';
import type { ItemYears, YearBiasFit } from '../rank/personYearBias';
import { readScoreRows, scoreCatalog, scorePositions } from '../rank/scoreCatalog';
import type { HistoryRead } from './historyCache';

/** Positions the idle-time rebuild of the encoder's state computes per macrotask. */
const REBUILD_CHUNK = 8;

export interface PersonScoresOptions {
  /** Use the incremental encoder when the model supports it (default true; false: always tfjs). */
  incremental?: boolean;
  /** The catalog's release years, for the person's release-year bias (`itemYears`; null: none). */
  years?: ItemYears | null;
}

/**
 * The person's state for the serve loop: the model's scores for the current history, computed
 * once per (weights version, history version), so re-ranks that change no history (the discover
 * control, paging, the seen toggle) only redo the cheap re-ranking. Holds the item table of the
 * current weights (`ItemTables`) and the dislike penalty's similarity vector of the last disliked
 * set (`NearDislikedCache`: a like reuses it, a new dislike multiplies only its own row); call
 * `weightsChanged()` whenever the live weights change.
 *
 * The forward pass (issue 23): when the model's positions count from the window start, an
 * `IncrementalEncoder` keeps the key/value cache of the last history, so a like (history + one
 * item, window not full) computes only the new position in plain TypeScript and a dislike (same
 * sequence) reuses the last hidden vector. Any other change runs the tfjs pass (`scoreCatalog`)
 * and rebuilds the encoder's state in a macrotask afterwards, so the next like is incremental.
 */
export class PersonScores {
  readonly tables: ItemTables;
  /** The dislike penalty's similarity vector of the last disliked set (reused while the set and weights stay). */
  readonly near = new NearDislikedCache();
  private readonly model: SasRec;
  private readonly policy: ScorePolicy;
  private readonly prior: Float32Array | null;
  private weightsVersion = 0;
  private entry: { weights: number; history: number; scores: Promise<Float32Array>; year: { fit: YearBiasFit | null } } | null = null;
  /** Forward passes run, of either kind (for tests and benchmarks: cache hits do not count). */
  computed = 0;
  /** Model scores by path: tfjs forward passes, incremental appends, reuses of the last hidden vector. */
  readonly passes = { tfjs: 0, appended: 0, reused: 0 };
  private readonly incremental: boolean;
  private readonly years: ItemYears | null;
  /** The release-year bias of the last scores computed (null before any, without years, or with too short a history). */
  yearBias: YearBiasFit | null = null;
  /** The incremental encoder of one weights version (its weights, the person's item rows and last history's state). */
  private encoder: { weights: number; enc: IncrementalEncoder; rows: FetchedRows } | null = null;
  /** Bumped whenever a scheduled rebuild becomes stale (newer state, new weights, dispose). */
  private rebuildGen = 0;
  private pending: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(model: SasRec, policy: ScorePolicy, prior: Float32Array | null, options: PersonScoresOptions = {}) {
    this.model = model;
    this.policy = policy;
    this.prior = prior;
    this.tables = new ItemTables(model);
    this.incremental = (options.incremental ?? true) && incrementalUnsupported(model.config) === null;
    this.years = options.years ?? null;
  }

  /** Scores (index = item id) for `history`; shared by every caller until history or weights change. Do not modify. */
  scores(history: HistoryRead): Promise<Float32Array> {
    const e = this.entry;
    if (e && history.version >= 0 && e.weights === this.weightsVersion && e.history === history.version) return e.scores;
    this.computed++;
    const view = history.view;
    const rows = scoreRows(this.policy, this.years, view.sequence);
    const year = { fit: null as YearBiasFit | null };
    const scores = this.modelScores(view.sequence, rows).then(async (all) => {
      const prefixes = this.years && rows > 1 ? { years: this.years, prefixScores: all.slice(0, -1) } : null;
      const out = await adjustScores(this.model, all[all.length - 1], view, this.policy, this.prior, this.tables, this.near, prefixes, (fit) => { year.fit = fit; });
      this.yearBias = year.fit;
      return out;
    });
    if (history.version >= 0) {
      const entry = { weights: this.weightsVersion, history: history.version, scores, year };
      this.entry = entry;
      scores.catch(() => { if (this.entry === entry) this.entry = null; });
    }
    return scores;
  }

  /** The release-year bias the scores of `history` use (computing them if needed); null without one. */
  async yearBiasFor(history: HistoryRead): Promise<YearBiasFit | null> {
    if (history.view.sequence.length === 0) return null;
    await this.scores(history);
    const e = this.entry;
    return e && e.weights === this.weightsVersion && e.history === history.version && history.version >= 0 ? e.year.fit : this.yearBias;
  }

  /** Resolves when the scheduled state rebuild (if any) has run (tests and benchmarks). */
  idle(): Promise<void> {
    return this.pending;
  }

  /**
   * The model's scores after the newest `rows` prefixes of `sequence` (as `scorePositions`; the
   * last entry is the feed's, as `scoreCatalog`): incremental when the state allows, else tfjs.
   */
  private async modelScores(sequence: readonly number[], rows: number): Promise<Float32Array[]> {
    const e = this.encoder;
    // The new item's vector, read from the tfjs table before the (synchronous) append.
    if (e && e.weights === this.weightsVersion && e.enc.extends(sequence)) await e.rows.fetch(sequence.slice(-1)).catch(() => undefined);
    const inc = this.incrementalHidden(sequence);
    if (inc) {
      // The encoder holds `sequence` now: its earlier positions are the prefixes' hidden vectors.
      const take = Math.min(rows, sequence.length);
      const d = this.model.config.dim;
      const stacked = new Float32Array(take * d);
      for (let j = 0; j < take; j++) stacked.set(j === take - 1 ? inc.hidden : inc.enc.hiddenAt(sequence.length - take + j), j * d);
      return this.products(stacked, take);
    }
    this.passes.tfjs++;
    const scores = rows === 1 ? [await scoreCatalog(this.model, sequence, this.tables)] : await scorePositions(this.model, sequence, rows, this.tables);
    this.scheduleRebuild(sequence);
    return scores;
  }

  /**
   * Scores = hidden · table^T with column 0 = NEG_INF, as `scoreCatalog`, for `rows` hidden vectors
   * stacked [rows, dim], one score array each. One tfjs matMul with the cached transposed table:
   * measured on the shipped model (3,417 x 128, Node WASM, load 4.5 on 2 cores) 0.3-0.7 ms with the
   * read-back for one row, against 1.6-3.2 ms for the same product in a JS loop (bench/incremental.ts).
   */
  private async products(stacked: Float32Array, rows: number): Promise<Float32Array[]> {
    return readScoreRows(tf.tidy(() => tf.matMul(tf.tensor2d(stacked, [rows, stacked.length / rows]), this.tables.tableT())));
  }

  /** The newest hidden vector for `sequence` from the encoder's state (an append or a reuse), and that encoder; or null. */
  private incrementalHidden(sequence: readonly number[]): { hidden: Float32Array; enc: IncrementalEncoder } | null {
    const e = this.encoder;
    if (!e || e.weights !== this.weightsVersion) return null;
    let hidden: Float32Array | null = null;
    if (e.enc.holds(sequence)) {
      hidden = e.enc.lastHidden;
      if (hidden) this.passes.reused++;
    } else if (e.enc.extends(sequence)) {
      try {
        hidden = e.enc.append(sequence[sequence.length - 1]);
      } catch {
        e.enc.clear(); // an item the model does not know: the tfjs path decides
        return null;
      }
      this.passes.appended++;
      this.rebuildGen++; // an older scheduled rebuild would replace the newer state
    }
    return hidden ? { hidden, enc: e.enc } : null;
  }

  /** After a tfjs pass: rebuild the encoder's state for `sequence` in a macrotask (loading the weights first when needed). */
  private scheduleRebuild(sequence: readonly number[]): void {
    if (!this.incremental || this.disposed || sequence.length > this.model.config.maxLen) return;
    const seq = sequence.slice();
    const version = this.weightsVersion;
    const gen = ++this.rebuildGen;
    this.pending = new Promise<void>((resolve) => {
      setTimeout(() => { this.rebuild(seq, version, gen).then(resolve, resolve); }, 0);
    });
  }

  private async rebuild(seq: number[], version: number, gen: number): Promise<void> {
    const current = () => !this.disposed && version === this.weightsVersion;
    if (!current() || gen !== this.rebuildGen) return;
    let e = this.encoder;
    if (!e || e.weights !== version) {
      this.encoder = null;
      const rows = new FetchedRows(() => this.tables.table(), this.model.config.dim);
      const enc = await IncrementalEncoder.load(this.model, rows);
      if (!current()) return;
      e = this.encoder ??= { weights: version, enc, rows };
    }
    // In chunks of REBUILD_CHUNK positions, one macrotask each, so a like that arrives meanwhile
    // waits for one chunk only (a whole 199-item build: about 400 ms of JS on the shipped model, Node,
    // load 4.5 on 2 cores; 8 positions of the longest window about 16 ms);
    // it finds a partial state, takes the tfjs path and schedules a rebuild of its own.
    const enc = e.enc;
    enc.clear();
    try {
      await e.rows.fetch(seq); // the vectors of the history's items (one read)
      for (let at = 0; at < seq.length; at += REBUILD_CHUNK) {
        if (at > 0) await new Promise((r) => setTimeout(r, 0));
        if (!current() || gen !== this.rebuildGen || this.encoder?.enc !== enc) return;
        enc.extend(seq.slice(at, at + REBUILD_CHUNK));
      }
    } catch {
      enc.clear();
    }
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

  /** The live weights changed: drop the item table, the cached scores and the incremental encoder. */
  weightsChanged(): void {
    this.weightsVersion++;
    this.tables.invalidate();
    this.near.clear();
    this.entry = null;
    this.encoder = null;
    this.rebuildGen++;
  }

  dispose(): void {
    this.disposed = true;
    this.rebuildGen++;
    this.encoder = null;
    this.tables.dispose();
    this.near.clear();
    this.entry = null;
  }
}
