/** Right-aligned int32 rows, newest `maxLen` items of each sequence. */
export function packRows(rows: readonly (readonly number[])[], maxLen: number): { data: Int32Array; len: number } {
  const len = Math.max(1, ...rows.map((r) => Math.min(r.length, maxLen)));
  const data = new Int32Array(rows.length * len);
  rows.forEach((r, i) => {
    const n = Math.min(r.length, len);
    for (let j = 0; j < n; j++) data[i * len + len - n + j] = r[r.length - n + j];
  });
  return { data, len };
}

/** Next-item training rows packed right-aligned to their own longest length. */
export interface NextItemPart {
  data: Int32Array;
  rows: number;
  len: number;
  /** Flat indices (row * len + col) of positions that predict a target. */
  positions: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
}

/** Every row's newest `maxLen` items; each item after the first is the target of the one before. */
export function nextItemPart(
  rows: readonly (readonly number[])[],
  maxLen: number,
  weightOf: (row: number, targetIndex: number) => number,
): NextItemPart {
  const { data, len } = packRows(rows, maxLen);
  const positions: number[] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  rows.forEach((r, i) => {
    const n = Math.min(r.length, len);
    for (let j = 0; j < n - 1; j++) {
      positions.push(i * len + len - n + j);
      targets.push(r[r.length - n + j + 1]);
      weights.push(weightOf(i, r.length - n + j + 1));
    }
  });
  return { data, rows: rows.length, len, positions: Int32Array.from(positions), targets: Int32Array.from(targets), weights: Float32Array.from(weights) };
}

/** A slice [start, end) of a history. */
export interface HistoryWindow {
  start: number;
  end: number;
}

/**
 * Cuts a history into windows of at most `maxLen` items, newest first, at most `maxWindows` of
 * them. Consecutive windows share one item, so every item after the oldest window's first is a
 * next-item target exactly once (the shared item is the older window's last target and the
 * newer window's first context item). Windows shorter than 2 items (no target) are left out.
 */
export function historyWindows(length: number, maxLen: number, maxWindows: number): HistoryWindow[] {
  const out: HistoryWindow[] = [];
  let end = length;
  while (out.length < maxWindows && end >= 2) {
    const start = Math.max(0, end - maxLen);
    out.push({ start, end });
    if (start === 0) break;
    end = start + 1;
  }
  return out;
}

/**
 * Which windows each step trains on when a history has more windows than `maxWindows`: the
 * newest window every step, and the older ones in turn, `maxWindows - 1` per step, so a run of
 * enough steps reads the whole history at a fixed cost per step. Returns the distinct window sets
 * in step order; step s (1-based) uses set (s - 1) mod length.
 */
export function windowSchedule(all: readonly HistoryWindow[], maxWindows: number, steps: number): HistoryWindow[][] {
  if (all.length <= maxWindows || maxWindows <= 1) return [all.slice(0, Math.max(1, maxWindows))];
  const older = all.slice(1);
  const per = maxWindows - 1;
  const cycle = Math.min(Math.max(1, steps), Math.ceil(older.length / per));
  return Array.from({ length: cycle }, (_, s) => [all[0], ...Array.from({ length: Math.min(per, older.length) }, (_, i) => older[(s * per + i) % older.length])]);
}
