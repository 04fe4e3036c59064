import * as tf from '@tensorflow/tfjs';
import { checkCheckpoint, type CheckpointCheck } from '../store/checkCheckpoint';
import { adapterShapes, mergeAdapter } from '../train/adapters';
import { rowParameterRows } from '../train/sparseRows';
import type { FinetunePolicy } from '../train/finetunePolicy';
import type { LocalStore, StoredCheckpoint } from '../store/localStore';
import type { LoadedModel } from './loadModelFolder';
import { PersonScores } from './personScores';
import { itemYears } from '../rank/personYearBias';
import { DEFAULT_TEACHER_ROWS, TeacherCache } from '../train/teacherCache';

/**
 * The loaded model with the weights the feed ranks with: the stored checkpoint when it belongs to
 * these pretrained weights and is intact, else the pretrained ones. Owns the serve loop's caches
 * (`PersonScores`: item table per weights version, scores per history version) and keeps them in
 * step with the weights. `dispose()` frees every tensor.
 */
export class LiveModel {
  readonly loaded: LoadedModel;
  readonly scoring: PersonScores;
  /**
   * Distillation targets of the replay exemplars under the pretrained weights, per row, shared by
   * every run (`FinetuneInput.teachers`): as many rows as the replay pool (at least
   * `policy.replayRows`; 32 without a pool), 12.7 MB for the shipped model's 32 rows.
   */
  readonly teachers: TeacherCache;
  /** Element count of every parameter, by name (what a stored checkpoint must match). */
  readonly weightSizes: ReadonlyMap<string, number>;
  /** Row count of the parameters a checkpoint may store by rows. */
  readonly weightRows: ReadonlyMap<string, number>;
  private readonly store: LocalStore;
  private current: StoredCheckpoint | null = null;
  private check: CheckpointCheck = { kind: 'none' };
  /** Which checkpoint the live weights hold (null: not assigned yet, or forced to reload). */
  private key: string | null = null;
  /** Weights adopted from a run that are not stored (yet): a `reload` must replace them. */
  private adopted = 0;
  /** The write of the adopted checkpoint, if one is in flight: `reload` waits for it. */
  private writing: Promise<void> | null = null;

  /** `replayPool`: exemplars the runs read (default the model folder's), the teacher cache's size in rows. */
  constructor(loaded: LoadedModel, policy: FinetunePolicy, store: LocalStore, replayPool = loaded.replay.length) {
    this.loaded = loaded;
    this.store = store;
    const numItems = loaded.model.config.numItems;
    this.scoring = new PersonScores(loaded.model, policy, loaded.catalog.popularityPrior(numItems), { years: itemYears(loaded.catalog.items, numItems) });
    this.teachers = new TeacherCache(Math.max(replayPool || DEFAULT_TEACHER_ROWS, policy.replayRows));
    this.weightSizes = new Map([...loaded.model.weights].map(([n, v]) => [n, v.size]));
    this.weightRows = rowParameterRows(loaded.model.weights);
  }

  /** The checkpoint in the live weights (null = pretrained). */
  get checkpoint(): StoredCheckpoint | null {
    return this.current;
  }

  /** What the last reload found in storage: none, foreign (other pretrained weights), ok, or damaged (and why). */
  get lastCheck(): CheckpointCheck {
    return this.check;
  }

  /** Checks a stored checkpoint (as read from IndexedDB) against this model. */
  checkStored(raw: unknown): CheckpointCheck {
    const cfg = this.loaded.model.config;
    return checkCheckpoint(raw, this.loaded.modelId, this.weightSizes, { weightRows: this.weightRows, adapterShapes: (kind, rank) => adapterShapes(cfg, kind, rank) });
  }

  /**
   * Reads the stored checkpoint and puts its weights (or the pretrained ones, when there is none,
   * it belongs to other weights, or it is damaged) into the live model. When the same checkpoint
   * is already live nothing changes, so the cached item table and scores stay valid. `force`:
   * assign even then (after an import, which may bring any weights).
   */
  async reload({ force = false }: { force?: boolean } = {}): Promise<void> {
    const l = this.loaded;
    if (this.writing) await this.writing;
    this.check = this.checkStored(await this.store.getCheckpoint());
    const next = this.check.kind === 'ok' ? this.check.checkpoint : null;
    const key = next ? keyOf(next) : 'pretrained';
    this.current = next;
    if (!force && key === this.key) return;
    tf.tidy(() => {
      for (const [name, v] of l.model.weights) {
        const w = next?.weights[name];
        const rows = next?.sparse?.[name];
        const pretrained = l.pretrained.get(name) as tf.Tensor;
        if (w) v.assign(tf.tensor(w, v.shape));
        // Row-stored (large catalogs): the pretrained table with the learned rows written over it.
        else if (rows && rows.ids.length > 0) v.assign(tf.tensorScatterUpdate(pretrained, tf.tensor2d(rows.ids, [rows.ids.length, 1], 'int32'), tf.tensor(rows.values, [rows.ids.length, ...v.shape.slice(1)])));
        else v.assign(pretrained);
      }
    });
    // A per-person adapter goes on top of the pretrained weights (checked by `checkStored` above).
    if (next?.adapter) mergeAdapter(l.model, l.pretrained, next.adapter);
    this.key = key;
    this.scoring.weightsChanged();
  }

  /**
   * Serves `weights` (some or all parameters, by name) at once, without a store round trip: a
   * fine-tuning run's validated weights (for an adapter run, the weights with the adapter merged
   * in, as `reload` would build them from its stored checkpoint). `checkpoint`: the checkpoint these weights are (its
   * write follows with `persist`), or null for a run still in progress (a later `reload` puts
   * the stored weights back unless the run ends by adopting its checkpoint).
   */
  adopt(weights: ReadonlyMap<string, tf.Tensor>, checkpoint: StoredCheckpoint | null): void {
    const model = this.loaded.model;
    for (const [name, t] of weights) model.w(name).assign(t);
    this.key = checkpoint ? keyOf(checkpoint) : `adopted:${++this.adopted}`;
    if (checkpoint) this.current = checkpoint;
    this.scoring.weightsChanged();
  }

  /** The live weights already are `checkpoint` (last adopted): record it without touching them. */
  commit(checkpoint: StoredCheckpoint): void {
    this.key = keyOf(checkpoint);
    this.current = checkpoint;
  }

  /**
   * The write of the live checkpoint: reloads wait for it, so they never read the checkpoint
   * it replaces. Its failure is the caller's to report (the stored checkpoint stays the older one).
   */
  persist(write: Promise<void>): Promise<void> {
    const settled = write.then(() => undefined, () => undefined);
    this.writing = settled;
    void settled.then(() => { if (this.writing === settled) this.writing = null; });
    return write;
  }

  dispose(): void {
    this.scoring.dispose();
    this.teachers.dispose();
    this.loaded.model.dispose();
    for (const t of this.loaded.pretrained.values()) t.dispose();
  }
}

/** Identifies a stored checkpoint's weights. */
function keyOf(c: StoredCheckpoint): string {
  return `${c.updatedAt}:${c.steps}:${c.trainedEvents}`;
}
