import * as tf from '@tensorflow/tfjs';
import { nextItemPart, type NextItemPart } from './finetuneRows';

/** Rows the cache holds by default: the shipped model's replay pool (`replay.json`, 32 exemplars). */
export const DEFAULT_TEACHER_ROWS = 32;

/**
 * The pretrained model's next-item distribution on replay exemplar rows (the distillation
 * targets of `fullObjective`), kept across fine-tuning runs **per row**: a row's teacher depends
 * only on the pretrained weights and the row's items, and every run reads a different window of
 * the same replay pool (`finetuneData`: offset 7 x history length), so a cache keyed by the
 * window almost never hit, while one keyed by row hits every row after the pool has been read
 * once. Recomputing them was a forward pass of every replay row under the pretrained weights at
 * the start of every run (65-140 ms in the browser, before the first step).
 *
 * An entry is one row's [target positions, vocab] float32 (softmax of the pretrained logits at
 * each of its positions). Memory: rows x positions x vocab x 4 B, for the shipped model (a pool of
 * 32 rows of 30 items, 3,417 columns) 32 x 29 x 3,417 x 4 B = 12.7 MB at most; the cache holds at
 * most `maxRows` rows (default the shipped pool size) and drops the least recently used,
 * disposing it. Owned by whoever owns the pretrained weights (the engine's `LiveModel`):
 * `dispose()` when those go. Valid for one set of pretrained weights only.
 */
export class TeacherCache {
  private readonly entries = new Map<string, tf.Tensor2D>();
  private disposed = false;
  readonly maxRows: number;
  /** Rows answered from the cache, and rows computed (for tests and benchmarks). */
  hits = 0;
  misses = 0;

  constructor(maxRows = DEFAULT_TEACHER_ROWS) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new Error(`TeacherCache: maxRows must be a positive integer (got ${maxRows})`);
    this.maxRows = maxRows;
  }

  /** Key of one row: its items (the newest maxLen, as packed), the window length and the catalog size. */
  static keyOf(items: ArrayLike<number>, maxLen: number, vocab: number): string {
    return `${vocab}|${maxLen}|${Array.prototype.join.call(items, ',')}`;
  }

  /** The row's teacher, or undefined; a hit makes it the most recently used. The cache owns it: do not dispose. */
  get(key: string): tf.Tensor2D | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    this.entries.delete(key);
    this.entries.set(key, found); // most recently used last
    return found;
  }

  /**
   * Stores `t` (taken over: kept, and disposed when dropped), dropping the least recently used
   * rows beyond `maxRows`. After `dispose()` it disposes `t` at once.
   */
  set(key: string, t: tf.Tensor2D): void {
    // A run still in flight when the owner went (engine disposed, device lost) stores nothing.
    if (this.disposed) { t.dispose(); return; }
    const old = this.entries.get(key);
    if (old === t) return;
    old?.dispose();
    this.entries.delete(key);
    this.entries.set(key, tf.keep(t));
    while (this.entries.size > this.maxRows) {
      const [oldest, dropped] = this.entries.entries().next().value as [string, tf.Tensor2D];
      this.entries.delete(oldest);
      dropped.dispose();
    }
  }

  /** Rows held. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes held (float32). */
  get bytes(): number {
    let n = 0;
    for (const t of this.entries.values()) n += t.size * 4;
    return n;
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.entries.values()) t.dispose();
    this.entries.clear();
  }
}

/** One row of a packed part: its items (left padding removed) and its target positions (a run of `p.positions`). */
export interface PartRow {
  items: Int32Array;
  /** Index of its first target position in `p.positions` and their count. */
  first: number;
  count: number;
}

/**
 * The rows of a part packed by `nextItemPart`, checking the layout the per-row teachers rely on:
 * `positions` (flat row * len + col) are row-major, each row's ascending and consecutive, ending
 * one column before the row's newest item (the last item is only a target), starting at the row's
 * first item (left padding before it), and every row has at least one position. Throws otherwise (a part laid out some other way cannot be split by rows).
 */
export function partRows(p: Pick<NextItemPart, 'data' | 'rows' | 'len' | 'positions'>): PartRow[] {
  const out: PartRow[] = [];
  let k = 0;
  for (let r = 0; r < p.rows; r++) {
    const first = k;
    while (k < p.positions.length && Math.floor(p.positions[k] / p.len) === r) {
      if (k > first && p.positions[k] !== p.positions[k - 1] + 1) throw new Error(`partRows: positions of row ${r} are not consecutive and ascending`);
      k++;
    }
    const count = k - first;
    if (count === 0) throw new Error(`partRows: row ${r} has no target position (or positions are not row-major)`);
    // The row's targets are its items after the first: positions len-n .. len-2 for n items.
    if (p.positions[k - 1] !== r * p.len + p.len - 2) throw new Error(`partRows: row ${r}'s last position is not the one before its newest item`);
    const start = r * p.len + p.len - (count + 1);
    // Left padding before the row's first item: every item of the row but the newest is a position.
    if (start > r * p.len && p.data[start - 1] !== 0) throw new Error(`partRows: row ${r} has items before its first position`);
    out.push({ items: p.data.slice(start, r * p.len + p.len), first, count });
  }
  if (k !== p.positions.length) throw new Error('partRows: positions are not row-major');
  return out;
}

/**
 * A part's teacher [positions, vocab] in the part's position order, from the cached rows and
 * `compute` (the teacher of a part of the rows not in the cache, packed by `nextItemPart` the
 * same way: a row's teacher does not depend on the rows packed with it, left padding being
 * masked and positions counted from the row's own items). Computed rows are stored. Returns a
 * new tensor the caller owns.
 */
export function partTeacher(
  p: Pick<NextItemPart, 'data' | 'rows' | 'len' | 'positions'>,
  cache: TeacherCache,
  maxLen: number,
  vocab: number,
  compute: (missing: NextItemPart) => tf.Tensor2D,
): tf.Tensor2D {
  const rows = partRows(p);
  const keys = rows.map((r) => TeacherCache.keyOf(r.items, maxLen, vocab));
  const pieces = new Map<string, tf.Tensor2D>();
  const missing = new Map<string, Int32Array>();
  keys.forEach((key, i) => {
    const hit = cache.get(key);
    if (hit) {
      pieces.set(key, hit);
      cache.hits++;
    } else {
      missing.set(key, rows[i].items); // a row twice in the part is computed once
    }
  });
  const made: [string, tf.Tensor2D][] = [];
  if (missing.size > 0) {
    const sub = nextItemPart([...missing.values()].map((items) => Array.from(items)), maxLen, () => 1);
    const all = compute(sub);
    const split = partRows(sub).map((r) => r.count);
    const parts = split.length === 1 ? [all] : tf.split(all, split, 0) as tf.Tensor2D[];
    if (split.length > 1) all.dispose();
    [...missing.keys()].forEach((key, i) => { pieces.set(key, parts[i]); made.push([key, parts[i]]); });
    cache.misses += missing.size;
  }
  const ordered = keys.map((key) => pieces.get(key) as tf.Tensor2D);
  const teacher = ordered.length === 1 ? tf.clone(ordered[0]) : tf.concat(ordered, 0) as tf.Tensor2D;
  // Stored after the assembly: a part of more rows than the cache holds drops some at once.
  for (const [key, t] of made) cache.set(key, t);
  return teacher;
}
