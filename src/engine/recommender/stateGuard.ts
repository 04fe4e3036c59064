/**
 * Orders the writes that replace the model state (an accepted checkpoint, import, delete, reset)
 * one after another, and keeps a generation number that those replacements bump, so that a
 * training run that started before one of them is discarded instead of overwriting it.
 */
export class StateGuard {
  private current = 0;
  private queue: Promise<void> = Promise.resolve();

  /** The generation now (a run compares the value it started with). */
  get generation(): number {
    return this.current;
  }

  /** The stored data was replaced (here or in another tab): runs that started before are stale. */
  bump(): void {
    this.current++;
  }

  /** Runs `fn` after every state-replacing write queued before it; a failure does not block the queue. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }
}
