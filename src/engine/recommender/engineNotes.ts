/** What a note is about; one note per subject at a time. */
export type NoteSubject = 'storage' | 'checkpointSave' | 'checkpointDamaged';

/**
 * The engine's current notes for the person (`EngineStatus.notes`): set when a fault is survived
 * (data in memory only, a checkpoint not saved, a damaged checkpoint skipped), cleared when it no
 * longer applies.
 */
export class EngineNotes {
  private readonly notes = new Map<NoteSubject, string>();

  /** Sets the note on `subject`; true when that changed anything (so the caller tells the person once). */
  set(subject: NoteSubject, text: string): boolean {
    if (this.notes.get(subject) === text) return false;
    this.notes.set(subject, text);
    return true;
  }

  /** Removes the note on `subject`; true when there was one. */
  clear(subject: NoteSubject): boolean {
    return this.notes.delete(subject);
  }

  list(): string[] {
    return [...this.notes.values()];
  }
}
