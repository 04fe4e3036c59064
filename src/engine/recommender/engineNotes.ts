import type { LocalRecErrorCode } from '../errors';

/** What a note is about; one note per subject at a time. */
export type NoteSubject = 'storage' | 'checkpointSave' | 'checkpointDamaged';

/** How the engine tells the person about a note. */
export interface EngineNotesHooks {
  /** A new note: one `error` event (`during: 'storage'`) with its code and text. */
  announce(code: LocalRecErrorCode, message: string): void;
  /** The list changed: publish a status snapshot. */
  changed(): void;
}

/**
 * The engine's current notes for the person (`EngineStatus.notes`): set when a fault is survived
 * (data in memory only, a checkpoint not saved, a damaged checkpoint skipped), announced once,
 * cleared when it no longer applies.
 */
export class EngineNotes {
  private readonly notes = new Map<NoteSubject, string>();
  private readonly hooks: EngineNotesHooks;

  constructor(hooks: EngineNotesHooks) {
    this.hooks = hooks;
  }

  /** Sets the note on `subject`; the person is told only when it is new or its text changed. */
  set(subject: NoteSubject, message: string, code: LocalRecErrorCode): void {
    if (this.notes.get(subject) === message) return;
    this.notes.set(subject, message);
    this.hooks.announce(code, message);
    this.hooks.changed();
  }

  /** Removes the note on `subject`, if any. */
  clear(subject: NoteSubject): void {
    if (this.notes.delete(subject)) this.hooks.changed();
  }

  list(): string[] {
    return [...this.notes.values()];
  }
}
