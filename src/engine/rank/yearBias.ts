/**
 * The arithmetic of the per-person bias over release-year buckets (docs/ON_DEVICE.md, "A
 * per-person bias over release years"; the feed applies it through `personYearBias.ts`).
 * Each fitting case is one of the person's items after the items before it, reduced to the
 * softmax mass of every bucket under the model's scores; the bias maximises the mean
 * log-likelihood of the items' buckets minus an L2 penalty (concave: plain gradient ascent).
 */

/**
 * Bucket edges (exclusive upper bounds) anchored at a person's newest release year `newest`:
 * one bucket per year for the five years up to it (`newest` and later, newest−1, …, newest−4),
 * then newest−8…newest−5, newest−18…newest−9 and everything older. For someone whose newest film
 * is from 1998 these are the edges the bias was chosen with: before 1980, 1980s, 1990–93, 1994,
 * 1995, 1996, 1997, 1998 on.
 */
export function personYearEdges(newest: number): number[] {
  return [newest - 18, newest - 8, newest - 4, newest - 3, newest - 2, newest - 1, newest];
}

/** Edges the bias was chosen with on the `shift` protocol (`personYearEdges(1998)`; the experiment's `--edges fixed`). */
export const YEAR_EDGES: readonly number[] = personYearEdges(1998);

/** Bucket of every item id (index = id); -1 where the year is unknown (that mass gets no bias). */
export function yearBuckets(yearOf: ArrayLike<number | null>, edges: readonly number[] = YEAR_EDGES): Int32Array {
  const out = new Int32Array(yearOf.length).fill(-1);
  for (let i = 0; i < yearOf.length; i++) {
    const y = yearOf[i];
    if (y === null || !Number.isFinite(y)) continue;
    let k = 0;
    while (k < edges.length && y >= edges[k]) k++;
    out[i] = k;
  }
  return out;
}

/**
 * One fitting case: each bucket's share of the softmax over the candidates (last entry: unknown
 * year), the item's bucket, and how much newer the item is than the model expects (its release
 * year minus the softmax-weighted mean year of the candidates with a year).
 */
export interface BucketCase { mass: Float64Array; target: number; gap: number }

/**
 * The case of `target` given `scores` over items 0..n-1: softmax mass per bucket over the items
 * not skipped (`skip`: a set, or a mask with 1 = skipped; the items before it, items never
 * ranked). Null when the target is skipped or has no bucket.
 */
export function bucketCase(scores: ArrayLike<number>, buckets: Int32Array, count: number, skip: ReadonlySet<number> | Uint8Array, target: number, yearOf?: ArrayLike<number | null>): BucketCase | null {
  const mask = skip instanceof Uint8Array ? skip : maskOf(skip, scores.length);
  if (mask[target] === 1 || buckets[target] < 0) return null;
  let max = -Infinity;
  for (let i = 1; i < scores.length; i++) if (mask[i] !== 1 && scores[i] > max) max = scores[i];
  const mass = new Float64Array(count + 1);
  let total = 0, yearMass = 0, yearSum = 0;
  for (let i = 1; i < scores.length; i++) {
    if (mask[i] === 1) continue;
    const e = Math.exp(scores[i] - max);
    const k = buckets[i];
    total += e;
    if (k < 0) { mass[count] += e; continue; }
    mass[k] += e;
    const y = yearOf?.[i];
    if (y !== undefined && y !== null) { yearMass += e; yearSum += e * y; }
  }
  for (let k = 0; k <= count; k++) mass[k] /= total;
  const ty = yearOf?.[target];
  const gap = ty !== undefined && ty !== null && yearMass > 0 ? ty - yearSum / yearMass : 0;
  return { mass, target: buckets[target], gap };
}

/** A mask of `length` entries with 1 at the ids in `ids`. */
function maskOf(ids: ReadonlySet<number>, length: number): Uint8Array {
  const m = new Uint8Array(length);
  for (const i of ids) if (i >= 0 && i < length) m[i] = 1;
  return m;
}

/** The bias per bucket maximising mean log p(bucket of the item) − l2/2 · |b|² over `cases`. */
export function fitBucketBias(cases: readonly BucketCase[], count: number, l2: number, iterations = 200, rate = 0.5): Float64Array {
  const b = new Float64Array(count);
  if (!cases.length) return b;
  const grad = new Float64Array(count);
  const eb = new Float64Array(count);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    for (let k = 0; k < count; k++) eb[k] = Math.exp(b[k]);
    for (const c of cases) {
      let z = c.mass[count];
      for (let k = 0; k < count; k++) z += c.mass[k] * eb[k];
      for (let k = 0; k < count; k++) grad[k] -= (c.mass[k] * eb[k]) / z;
      grad[c.target] += 1;
    }
    for (let k = 0; k < count; k++) b[k] += rate * (grad[k] / cases.length - l2 * b[k]);
  }
  return b;
}

/** `scores` with each item's bucket bias added (a copy; unknown years unchanged). */
export function withBucketBias(scores: Float32Array, buckets: Int32Array, bias: Float64Array): Float32Array {
  const out = Float32Array.from(scores);
  for (let i = 0; i < out.length; i++) if (buckets[i] >= 0) out[i] += bias[buckets[i]];
  return out;
}

/** How much more likely (log) the bias makes the case's item than no bias does. */
export function biasGain(c: BucketCase, bias: Float64Array): number {
  const count = bias.length;
  let z = c.mass[count];
  for (let k = 0; k < count; k++) z += c.mass[k] * Math.exp(bias[k]);
  return bias[c.target] - Math.log(z);
}
