import type { EngineSettings, EngineState, EngineStatus, HistoryChange, InteractionEvent, ProgressEvent, UpdateKind } from './types';

/** What a snapshot reads from the engine at the moment it is built. */
export interface SnapshotSource {
  read(): Promise<{ status: EngineStatus; settings: EngineSettings; history: readonly InteractionEvent[] }>;
}

/**
 * Numbers the engine's changes and sends one `updated` event per change. Snapshots (and
 * `state()` reads) are built one after another, so versions follow the order of the changes and a
 * `state()` answer is consistent with the snapshots around it.
 */
export class SnapshotPublisher {
  private readonly source: SnapshotSource;
  private readonly emit: (e: ProgressEvent) => void;
  private readonly onError: (err: unknown) => void;
  private queue: Promise<void> = Promise.resolve();
  private current = 0;

  constructor(source: SnapshotSource, emit: (e: ProgressEvent) => void, onError: (err: unknown) => void) {
    this.source = source;
    this.emit = emit;
    this.onError = onError;
  }

  /** The last version sent. */
  get version(): number {
    return this.current;
  }

  /**
   * Sends the snapshot of one change. Never rejects: a failed read goes to `onError` and no
   * version is used (readers then see counts that disagree on the next snapshot and re-read).
   */
  publish(what: UpdateKind, origin: 'local' | 'remote', history: HistoryChange): Promise<void> {
    const run = this.queue.then(async () => {
      const { status, settings } = await this.source.read();
      this.current++;
      this.emit({ status: 'updated', what, origin, snapshot: { version: this.current, status, settings: { ...settings }, history } });
    });
    this.queue = run.catch((err: unknown) => { this.onError(err); });
    return this.queue;
  }

  /** Status, settings and history at the current version (in turn with the snapshots). */
  async state(): Promise<EngineState> {
    const run = this.queue.then(async () => {
      const { status, settings, history } = await this.source.read();
      return { version: this.current, status, settings: { ...settings }, history: [...history] };
    });
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Waits until every queued snapshot was sent. */
  async idle(): Promise<void> {
    await this.queue;
  }
}
