import type { FinetunePolicy } from './finetunePolicy';

/**
 * Above this many items, on-device fine-tuning uses sampled softmax (256 shared negatives, log-Q
 * corrected) instead of the full softmax over the catalog.
 *
 * Measured with `npm run bench:large` (its sweep): Chromium 150, threaded WASM, the shipped
 * architecture with 29 content features, a 50-item history + 8 replay rows, step p50, 2-core EPYC
 * shared with other jobs. Run 1 (load ~3-5, bench/results/large-catalog-2026-12-05-run1-log.txt)
 * and run 2 (load ~7, bench/results/large-catalog-2026-12-05.*):
 *
 * | items   | full, run 1 / run 2 | sampled, run 1 / run 2 | full / sampled |
 * |---------|--------------------:|-----------------------:|---------------:|
 * | 3,416   |     358 / 1,067 ms  |          275 / 736 ms  |   1.3x / 1.4x  |
 * | 10,000  |     731 / 2,073 ms  |          202 / 530 ms  |   3.6x / 3.9x  |
 * | 25,000  |   1,797 / 3,919 ms  |          237 / 797 ms  |   7.6x / 4.9x  |
 * | 50,000  |   3,142 / 6,975 ms  |          187 / 509 ms  |    17x / 14x   |
 * | 100,000 |   5,377 / 9,449 ms  |          223 / 595 ms  |    24x / 16x   |
 *
 * The sampled step does not grow with the catalog; the full one grows with it and already costs
 * 3.6-3.9x the sampled step at 10,000 items, 1.3-1.4x at the shipped 3,416. The switch sits between
 * the two measured sizes: the shipped model keeps the exact objective, larger catalogs switch.
 */
export const SAMPLED_SOFTMAX_ABOVE = 5_000;

/** The softmax a fine-tuning run uses for a catalog of `numItems` items under `policy`. */
export function softmaxFor(policy: Pick<FinetunePolicy, 'softmax'>, numItems: number): 'full' | 'sampled' {
  if (policy.softmax !== 'auto') return policy.softmax;
  return numItems > SAMPLED_SOFTMAX_ABOVE ? 'sampled' : 'full';
}
