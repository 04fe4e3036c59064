import type { FinetunePolicy } from './finetunePolicy';

/**
 * Above this many items, on-device fine-tuning uses sampled softmax (256 shared negatives, log-Q
 * corrected) instead of the full softmax over the catalog.
 *
 * Measured (`npm run bench:large`, Chromium 150, threaded WASM, the shipped architecture with 29
 * content features, a 50-item history + 8 replay rows; 2-core EPYC under load 2.5-4.6; step p50):
 *
 * | items   | full softmax | sampled | full / sampled |
 * |---------|-------------:|--------:|---------------:|
 * | 3,416   |       358 ms |  275 ms |          1.3x  |
 * | 10,000  |       731 ms |  202 ms |          3.6x  |
 * | 25,000  |     1,797 ms |  237 ms |          7.6x  |
 * | 50,000  |     3,142 ms |  187 ms |           17x  |
 * | 100,000 |     5,377 ms |  223 ms |           24x  |
 *
 * The sampled step stays near 200-300 ms at any size; the full one grows by about 0.05 ms per item
 * and costs twice the sampled step near 5,000 items. Below that the exact objective costs little
 * (the shipped 3,416-item model keeps it); above it full softmax is measured too slow.
 */
export const SAMPLED_SOFTMAX_ABOVE = 5_000;

/** The softmax a fine-tuning run uses for a catalog of `numItems` items under `policy`. */
export function softmaxFor(policy: Pick<FinetunePolicy, 'softmax'>, numItems: number): 'full' | 'sampled' {
  if (policy.softmax !== 'auto') return policy.softmax;
  return numItems > SAMPLED_SOFTMAX_ABOVE ? 'sampled' : 'full';
}
