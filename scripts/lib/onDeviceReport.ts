import type { OnDeviceReport } from '../../src/engine/eval/onDeviceEval';
import type { FinetunePolicy } from '../../src/engine/train/finetunePolicy';

/** The results table printed by eval:ondevice and pasted into the README and model card. */
export function markdownTable(r: OnDeviceReport, dataset: string, policy: FinetunePolicy): string {
  const f = (x: number, d = 4) => x.toFixed(d);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const lines = [
    `### On-device personalization — ${dataset}, ${r.evaluatedUsers} held-out people`,
    '',
    '| | pretrained (history as context) | fine-tuned on the device | lift (95% CI) |',
    '|---|---|---|---|',
    `| NDCG@10 | ${f(r.ndcg10.pretrained)} | ${f(r.ndcg10.finetuned)} | ${pct(r.ndcg10.liftPct)} (${pct(r.ndcg10.ci95[0])} … ${pct(r.ndcg10.ci95[1])}) |`,
    `| HR@10 | ${f(r.hr10.pretrained)} | ${f(r.hr10.finetuned)} | ${pct(r.hr10.liftPct)} (${pct(r.hr10.ci95[0])} … ${pct(r.hr10.ci95[1])}) |`,
    '',
    `People improved ${(r.usersImprovedShare * 100).toFixed(1)}%, hurt (any drop) ${(r.usersHurtShare * 100).toFixed(1)}%; fine-tuning kept by the policy for ${(r.acceptedShare * 100).toFixed(1)}%. ${f(r.msPerUser, 0)} ms of fine-tuning per person.`,
    `Later-disliked items in the top 10 (per person, ${r.dislikedInTop10.users} people, ${r.dislikedInTop10.laterDislikedItems} later-disliked items): pretrained ${f(r.dislikedInTop10.pretrained, 3)}, fine-tuned without dislike feedback ${f(r.dislikedInTop10.withoutFeedback, 3)}, with ${f(r.dislikedInTop10.withFeedback, 3)} (${pct(-r.dislikedInTop10.reductionPct)}).`,
    `Forgetting: NDCG@10 on ${r.reference.users} other people ${f(r.reference.pretrainedNdcg10)} pretrained, ${f(r.reference.finetunedNdcg10)} after fine-tuning for one person (mean of ${r.reference.probes}): ${pct(-r.referenceDropPct)}.`,
    `Own earlier items (1/4, 1/2, 3/4 of the history, ${r.ownEarlier.users} people): NDCG@10 ${f(r.ownEarlier.pretrained)} pretrained, ${f(r.ownEarlier.finetuned)} fine-tuned (${pct(-r.ownEarlier.dropPct)}). ${f(r.msPerStep, 0)} ms per fine-tuning step.`,
    ...(r.byLength.length ? ['', '| history length | people | pretrained NDCG@10 | fine-tuned | lift (95% CI) | hurt |', '|---|---|---|---|---|---|',
      ...r.byLength.map((b) => `| ${b.from}${b.to === null ? '+' : `–${b.to - 1}`} | ${b.users} | ${f(b.pretrained)} | ${f(b.finetuned)} | ${pct(b.liftPct)} (${pct(b.ci95[0])} … ${pct(b.ci95[1])}) | ${(b.hurtShare * 100).toFixed(1)}% |`), ''] : []),
    ...(r.yearBias ? [`Release-year bias (in the fine-tuned column): kept for ${r.yearBias.outcomes.kept} people, off for ${r.yearBias.outcomes['not-newer']} (not newer than the model expects) and ${r.yearBias.outcomes['not-validated']} (failed validation), ${r.yearBias.outcomes['too-few-items']} with too few items. The fine-tuned feed without it: NDCG@10 ${f(r.yearBias.withoutBias.ndcg10)} (hurt ${(r.yearBias.withoutBias.usersHurtShare * 100).toFixed(1)}%); the bias adds ${pct(r.yearBias.withoutBias.liftPct)} (${pct(r.yearBias.withoutBias.ci95[0])} … ${pct(r.yearBias.withoutBias.ci95[1])}).`] : []),
    ...(r.forgettingGuard ? [`Forgetting guard (KL limit ${policy.maxReplayKl}): ended ${(r.forgettingGuard.stoppedShare * 100).toFixed(1)}% of ${r.forgettingGuard.runs} runs; KL of the kept weights on unseen exemplars median ${r.forgettingGuard.medianKl.toFixed(4)}, 90th percentile ${r.forgettingGuard.p90Kl.toFixed(4)} nats.`] : []),
    '',
    `Continual learning (${r.continual.users} people, chunks of ${r.continual.chunkSize} interactions):`,
    '',
    '| chunk | people | pretrained NDCG@10 | fine-tuned NDCG@10 |',
    '|---|---|---|---|',
    ...r.continual.chunks.map((c) => `| ${c.chunk} | ${c.users} | ${f(c.pretrained)} | ${f(c.finetuned)} |`),
    '',
    `Policy: ${JSON.stringify(policy)}`,
  ];
  return lines.join('\n') + '\n';
}
