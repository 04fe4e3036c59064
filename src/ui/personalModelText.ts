import type { EngineStatus, PersonalModel } from 'localrec';

/** "512 B", "24.0 KB", "3.1 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const KIND: Record<PersonalModel['kind'], string> = {
  lora: 'a personal LoRA adapter',
  bias: 'a personal taste vector',
  userEmbedding: 'a personal user vector',
  weights: 'fine-tuned model weights',
};

/** What the privacy panel says about the stored personal model. */
export function describePersonalModel(status: Pick<EngineStatus, 'personalModel' | 'fineTuneSteps'> | null): string {
  const m = status?.personalModel;
  if (!m) return 'none, using the pretrained model';
  const rank = m.rank !== null ? ` (rank ${m.rank})` : '';
  const optimizer = m.optimizerBytes ? `, plus ${formatBytes(m.optimizerBytes)} of optimizer state` : '';
  return `${KIND[m.kind]}${rank}, ${formatBytes(m.bytes)}${optimizer}; ${status.fineTuneSteps} training steps`;
}
