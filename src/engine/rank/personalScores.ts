import type { SasRec } from '../model/sasrec';
import type { SignalView } from '../signals';
import type { FinetunePolicy } from '../train/finetunePolicy';
import { penalizeNearDisliked } from './dislikePenalty';
import { scoreCatalog } from './scoreCatalog';

/**
 * The scores the feed ranks by: the model's scores after the person's context, then the
 * rank-time dislike penalty of the policy (`dislikePenalty`, items close to disliked ones move
 * down). The app and `eval:ondevice` both rank through this function.
 */
export async function personalScores(model: SasRec, view: SignalView, policy: Pick<FinetunePolicy, 'dislikePenalty'>): Promise<Float32Array> {
  const scores = await scoreCatalog(model, view.sequence);
  if (policy.dislikePenalty <= 0 || view.disliked.length === 0) return scores;
  return penalizeNearDisliked(model, scores, view.disliked, policy.dislikePenalty);
}
