import { isQuotaError } from '../store/storageErrors';
import type { LocalStore, StoredCheckpoint } from '../store/localStore';
import type { EngineNotes } from './engineNotes';
import type { LiveModel } from './liveModel';

const STORAGE_FULL_NOTE = "The fine-tuned model could not be saved: this site's storage is full. Your history is kept and the feed uses the last saved model; free some space and learning resumes.";

/**
 * The stored fine-tuned checkpoint and the live weights, kept in step, with the two storage faults
 * that touch it: a write refused for lack of space (the run is not kept, the history is) and a
 * damaged stored checkpoint (the pretrained weights are used). Both become notes for the person.
 */
export class CheckpointSlot {
  private readonly store: LocalStore;
  private readonly live: () => LiveModel | null;
  private readonly notes: EngineNotes;

  constructor(store: LocalStore, live: () => LiveModel | null, notes: EngineNotes) {
    this.store = store;
    this.live = live;
    this.notes = notes;
  }

  /** Puts the stored checkpoint (or the pretrained weights) into the live model; a damaged one is noted, never used. */
  async reload(opts: { force?: boolean } = {}): Promise<void> {
    const live = this.live();
    if (!live) return;
    await live.reload(opts);
    const check = live.lastCheck;
    if (check.kind === 'damaged') {
      this.notes.set('checkpointDamaged', `The fine-tuned model stored in this browser is damaged (${check.problem}), so the pretrained model is used. Your history is kept; the next fine-tuning run replaces it.`, 'CHECKPOINT_CORRUPT');
    } else {
      this.notes.clear('checkpointDamaged');
    }
  }

  /** Stores an accepted run's checkpoint; false (and a note) when storage is full. Other failures throw. */
  async save(c: StoredCheckpoint): Promise<boolean> {
    try {
      await this.store.putCheckpoint(c);
    } catch (err) {
      if (!isQuotaError(err)) throw err;
      this.notes.set('checkpointSave', STORAGE_FULL_NOTE, 'STORAGE_FULL');
      return false;
    }
    this.notes.clear('checkpointSave');
    // The damaged checkpoint, if there was one, is replaced.
    this.notes.clear('checkpointDamaged');
    return true;
  }
}
