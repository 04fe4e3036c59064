import * as tf from '@tensorflow/tfjs';
import { mergeAdapter } from '../train/adapters';
import type { FinetunePolicy } from '../train/finetunePolicy';
import type { LocalStore, StoredCheckpoint } from '../store/localStore';
import type { LoadedModel } from './loadModelFolder';
import { PersonScores } from './personScores';

/**
 * The loaded model with the weights the feed ranks with: the stored checkpoint when it belongs to
 * these pretrained weights, else the pretrained ones. Owns the serve loop's caches
 * (`PersonScores`: item table per weights version, scores per history version) and keeps them in
 * step with the weights. `dispose()` frees every tensor.
 */
export class LiveModel {
  readonly loaded: LoadedModel;
  readonly scoring: PersonScores;
  private readonly store: LocalStore;
  private current: StoredCheckpoint | null = null;
  /** Which checkpoint the live weights hold (null: not assigned yet, or forced to reload). */
  private key: string | null = null;

  constructor(loaded: LoadedModel, policy: FinetunePolicy, store: LocalStore) {
    this.loaded = loaded;
    this.store = store;
    this.scoring = new PersonScores(loaded.model, policy, loaded.catalog.popularityPrior(loaded.model.config.numItems));
  }

  /** The checkpoint in the live weights (null = pretrained). */
  get checkpoint(): StoredCheckpoint | null {
    return this.current;
  }

  /**
   * Reads the stored checkpoint and puts its weights (or the pretrained ones) into the live model.
   * When the same checkpoint is already live nothing changes, so the cached item table and
   * scores stay valid. `force`: assign even then (after an import, which may bring any weights).
   */
  async reload({ force = false }: { force?: boolean } = {}): Promise<void> {
    const l = this.loaded;
    const c = await this.store.getCheckpoint();
    const next = c && c.modelId === l.modelId ? c : null;
    const key = next ? `${next.updatedAt}:${next.steps}:${next.trainedEvents}` : 'pretrained';
    this.current = next;
    if (!force && key === this.key) return;
    tf.tidy(() => {
      for (const [name, v] of l.model.weights) {
        const w = next?.weights[name];
        v.assign(w && w.length === v.size ? tf.tensor(w, v.shape) : (l.pretrained.get(name) as tf.Tensor));
      }
    });
    // A per-person adapter goes on top of the pretrained weights (checked when stored or imported).
    if (next?.adapter) mergeAdapter(l.model, l.pretrained, next.adapter);
    this.key = key;
    this.scoring.weightsChanged();
  }

  dispose(): void {
    this.scoring.dispose();
    this.loaded.model.dispose();
    for (const t of this.loaded.pretrained.values()) t.dispose();
  }
}
