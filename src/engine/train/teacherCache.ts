import * as tf from '@tensorflow/tfjs';
import type { NextItemPart } from './finetuneRows';

/**
 * The pretrained model's next-item distributions on replay rows (the distillation targets of
 * `fullObjective`), kept across fine-tuning runs: they depend only on the pretrained weights and
 * the rows, and a run trains on one of a few rotating windows of the same exemplars, so
 * recomputing them (a forward pass of every replay row under the pretrained weights) was about
 * 90 ms of each run's start on the shipped model (`npm run bench:learn-step`). Owned by whoever
 * owns the pretrained weights (the engine's live model): `dispose()` when those go. Holds at most
 * `capacity` entries (each [positions, items] float32), dropping the least recently used.
 */
export class TeacherCache {
  private readonly entries = new Map<string, tf.Tensor2D>();
  private readonly capacity: number;
  /** Reads answered from the cache (for tests and benchmarks). */
  hits = 0;

  constructor(capacity = 4) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`TeacherCache: capacity must be a positive integer (got ${capacity})`);
    this.capacity = capacity;
  }

  /** The key of a part's rows: its packed ids, target positions and catalog size. */
  static keyOf(part: Pick<NextItemPart, 'data' | 'len' | 'positions'>, vocab: number): string {
    return `${vocab}|${part.len}|${part.data.join(',')}|${part.positions.join(',')}`;
  }

  /** The cached teacher of `key`, or `make()`'s result, kept for later runs. The cache owns it: do not dispose. */
  get(key: string, make: () => tf.Tensor2D): tf.Tensor2D {
    const found = this.entries.get(key);
    if (found) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, found); // most recently used last
      return found;
    }
    const made = tf.keep(make());
    this.entries.set(key, made);
    while (this.entries.size > this.capacity) {
      const [oldest, t] = this.entries.entries().next().value as [string, tf.Tensor2D];
      this.entries.delete(oldest);
      t.dispose();
    }
    return made;
  }

  get size(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const t of this.entries.values()) t.dispose();
    this.entries.clear();
  }
}
