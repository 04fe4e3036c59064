import type { LearnOptions, LearnReport } from './types';

/** What the scheduler needs from the engine. */
export interface LearnSchedulerDeps {
  /** Background fine-tuning starts once this many events arrived since the last run. */
  learnAfter: number;
  /** One fine-tuning run (the engine's train-and-store). */
  run(opts: LearnOptions): Promise<LearnReport>;
  /** Whether background fine-tuning is on (the `autoLearn` setting). */
  autoLearn(): Promise<boolean>;
  /** Stored event count now. */
  eventCount(): Promise<number>;
  /** Events the current checkpoint was trained on (0 on the pretrained model). */
  trainedEvents(): number;
  /** Deciding on a background run failed (e.g. reading the settings): tell the person. */
  onBackgroundError(err: unknown): void;
  /**
   * After every run, once it no longer counts as active: `error` is what it threw, or null.
   * Background and explicit runs alike, so a failed run is always reported and never leaves
   * "learning" on.
   */
  settled(error: unknown): Promise<void> | void;
}

/**
 * When fine-tuning runs: at most one run at a time (a second `learn()` joins the running one),
 * in the background once `learnAfter` new events arrived, and never twice on the same signal (a
 * rolled-back run waits for new events). A background failure is reported, never swallowed.
 */
export class LearnScheduler {
  private readonly deps: LearnSchedulerDeps;
  private running: Promise<LearnReport> | null = null;
  /** Event count at the last attempt (so a rejected run waits for new signal). */
  private lastAttempt = 0;

  constructor(deps: LearnSchedulerDeps) {
    this.deps = deps;
  }

  /** A run is in progress. */
  get active(): boolean {
    return this.running !== null;
  }

  /** Events not yet used by a run, given the stored count. */
  pending(eventCount: number): number {
    return Math.max(0, eventCount - Math.max(this.deps.trainedEvents(), this.lastAttempt));
  }

  /** Enough new events for a run. */
  async due(): Promise<boolean> {
    return this.pending(await this.deps.eventCount()) >= this.deps.learnAfter;
  }

  /** Records that a run looked at `eventCount` events (accepted or not). */
  attempted(eventCount: number): void {
    this.lastAttempt = eventCount;
  }

  /** Starts a run, or joins the one in progress. */
  learn(opts: LearnOptions = {}): Promise<LearnReport> {
    if (this.running) return this.running;
    const run = this.deps.run(opts).then(
      async (report) => {
        this.running = null;
        await this.deps.settled(null);
        return report;
      },
      async (err: unknown) => {
        this.running = null;
        await this.deps.settled(err);
        throw err;
      },
    );
    this.running = run;
    return run;
  }

  /** After a new event: runs in the background when due and allowed. Never rejects. */
  async afterEvent(): Promise<void> {
    if (this.running) return;
    try {
      if (!(await this.deps.autoLearn()) || !(await this.due())) return;
    } catch (err) {
      this.deps.onBackgroundError(err);
      return;
    }
    // A failed run was reported through `settled`.
    await this.learn().catch(() => undefined);
  }

  /** Waits for the run in progress, if any (its outcome is reported elsewhere). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
