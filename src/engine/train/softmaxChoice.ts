import type { FinetunePolicy } from './finetunePolicy';

/**
 * Above this many items, on-device fine-tuning uses sampled softmax (shared negatives, log-Q
 * corrected) instead of the full softmax over the catalog. Measured: PLACEHOLDER.
 */
export const SAMPLED_SOFTMAX_ABOVE = 20_000;

/** The softmax a fine-tuning run uses for a catalog of `numItems` items under `policy`. */
export function softmaxFor(policy: Pick<FinetunePolicy, 'softmax'>, numItems: number): 'full' | 'sampled' {
  if (policy.softmax !== 'auto') return policy.softmax;
  return numItems > SAMPLED_SOFTMAX_ABOVE ? 'sampled' : 'full';
}
