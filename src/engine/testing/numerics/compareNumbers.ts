/**
 * Agreement of two backends' numbers, entry by entry (forward scores, losses, gradients, Adam
 * steps). Pure TypeScript: no tensors, so it is tested on its own (compareNumbers.test.ts).
 */

/**
 * Allowed error of one element: `atol * scale + rtol * |reference| + floor`. `scale` is the
 * largest |reference| value of the entry's group (the name up to its first "/": all gradients of
 * one loss, all Adam steps, ...), so one tolerance fits logits (~10), losses (~5) and gradients
 * (~1e-3) alike, and an entry that is zero in exact arithmetic (the key-bias gradient: softmax
 * ignores a shift shared by every key) is judged by the size of the terms whose rounding it holds.
 * The relative part covers large elements whose rounding grows with them; `floor` (per entry, see
 * `compareValues`) is the float32 spacing of the weights a step was added to.
 */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Named float arrays one backend computed (entry name -> values). */
export type NumericsValues = Record<string, Float32Array | number[]>;

/** How one entry of a backend compares with the reference. */
export interface EntryComparison {
  name: string;
  /** Largest |got - ref|. */
  maxAbs: number;
  /** Largest |got - ref| / max|ref| (0 when the reference is all zeros and the values agree). */
  maxRelToScale: number;
  /** Largest |ref|. */
  scale: number;
  /** Index of the worst element (in units of its own bound), -1 when none exceeds 0. */
  worstIndex: number;
  /** Elements over their bound. */
  failures: number;
  passed: boolean;
  /** Set when the entry could not be compared (missing, length mismatch, NaN). */
  problem?: string;
}

/** Largest finite |value|. */
export function maxAbsOf(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}

/** Spacing of float32 numbers near |x| (one unit in the last place). */
export function float32Ulp(x: number): number {
  const a = Math.abs(x);
  return a === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

/**
 * Compares one entry; `scale` defaults to the entry's own largest |reference|. Any NaN or
 * Infinity on either side (where the other side differs) fails.
 */
export function compareEntry(name: string, ref: ArrayLike<number>, got: ArrayLike<number> | undefined, tol: Tolerance, scale = maxAbsOf(ref), floor = 0): EntryComparison {
  const fail = (problem: string): EntryComparison => ({ name, maxAbs: Infinity, maxRelToScale: Infinity, scale, worstIndex: -1, failures: 1, passed: false, problem });
  if (!got) return fail('missing');
  if (got.length !== ref.length) return fail(`length ${got.length}, expected ${ref.length}`);
  let maxAbs = 0;
  let worst = -1;
  let worstRatio = 0;
  let failures = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const g = got[i];
    if (!Number.isFinite(r) || !Number.isFinite(g)) {
      if (Object.is(r, g)) continue;
      return fail(`non-finite value at ${i}: reference ${r}, got ${g}`);
    }
    const diff = Math.abs(g - r);
    const bound = tol.atol * scale + tol.rtol * Math.abs(r) + floor;
    if (diff > maxAbs) maxAbs = diff;
    const ratio = bound > 0 ? diff / bound : diff > 0 ? Infinity : 0;
    if (ratio > worstRatio) { worstRatio = ratio; worst = i; }
    if (diff > bound) failures++;
  }
  return { name, maxAbs, maxRelToScale: scale > 0 ? maxAbs / scale : maxAbs, scale, worstIndex: worst, failures, passed: failures === 0 };
}

/** The group of an entry: its name up to the first "/". */
export function groupOf(name: string): string {
  return name.split('/')[0];
}

/**
 * Every entry of `reference` compared with `got` (entries only in `got` are ignored), each against
 * its group's scale; `floors` adds an absolute allowance per entry.
 */
export function compareValues(reference: NumericsValues, got: NumericsValues, tol: Tolerance, floors: Record<string, number> = {}): EntryComparison[] {
  const scales = new Map<string, number>();
  for (const [name, values] of Object.entries(reference)) {
    const g = groupOf(name);
    scales.set(g, Math.max(scales.get(g) ?? 0, maxAbsOf(values)));
  }
  return Object.keys(reference).sort().map((name) => compareEntry(name, reference[name], got[name], tol, scales.get(groupOf(name)) ?? 0, floors[name] ?? 0));
}

/** One line per failed entry, for assertion messages. */
export function describeFailures(rows: readonly EntryComparison[]): string {
  return rows
    .filter((r) => !r.passed)
    .map((r) => r.problem
      ? `${r.name}: ${r.problem}`
      : `${r.name}: ${r.failures} element(s) over the bound, max |diff| ${r.maxAbs.toExponential(2)} (${r.maxRelToScale.toExponential(2)} of max |ref| ${r.scale.toExponential(2)}), worst at ${r.worstIndex}`)
    .join('\n');
}
