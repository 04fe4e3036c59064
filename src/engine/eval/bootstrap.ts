import { Rng } from '../train/rng';

/** Relative change of `after` over `before` in percent (0 when `before` is 0). */
export function liftPct(before: number, after: number): number {
  return before === 0 ? 0 : ((after - before) / before) * 100;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : 0;
}

/**
 * Paired bootstrap 95% interval of the relative lift of mean(after) over mean(before):
 * users are resampled with replacement `iterations` times (seeded).
 */
export function bootstrapLiftCi(before: ArrayLike<number>, after: ArrayLike<number>, iterations = 1000, seed = 1): [number, number] {
  const n = before.length;
  if (n === 0) return [0, 0];
  const rng = new Rng(seed);
  const lifts = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    let sb = 0;
    let sa = 0;
    for (let i = 0; i < n; i++) {
      const j = rng.int(0, n);
      sb += before[j];
      sa += after[j];
    }
    lifts[b] = liftPct(sb / n, sa / n);
  }
  return [quantile(lifts, 0.025), quantile(lifts, 0.975)];
}

/** The value at fraction `q` of the sorted values (index floor(q * n), clamped; no interpolation). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
}

export { mean };
