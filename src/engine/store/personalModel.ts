import type { AdapterKind } from '../train/adapters';
import type { StoredCheckpoint } from './schema';

/** What a stored checkpoint holds, in words a status panel can show. */
export interface PersonalModel {
  /** 'weights': changed model weights; else the per-person adapter's kind. */
  kind: 'weights' | AdapterKind;
  /** LoRA rank (null for the other kinds). */
  rank: number | null;
  /** Bytes of the learned values (weights, item rows or adapter tensors). */
  bytes: number;
  /** Bytes of the optimizer state kept to continue training. */
  optimizerBytes: number;
}

/** Bytes of every typed array inside `x` (nested objects and arrays included). */
function typedBytes(x: unknown): number {
  if (ArrayBuffer.isView(x)) return x.byteLength;
  if (typeof x !== 'object' || x === null) return 0;
  let n = 0;
  for (const v of Object.values(x)) n += typedBytes(v);
  return n;
}

/** What `c` holds and how big it is (null for none: the pretrained model serves). */
export function personalModelOf(c: StoredCheckpoint | null): PersonalModel | null {
  if (!c) return null;
  const optimizerBytes = typedBytes(c.optimizer);
  if (c.adapter) return { kind: c.adapter.kind, rank: c.adapter.kind === 'lora' ? c.adapter.rank : null, bytes: typedBytes(c.adapter.tensors), optimizerBytes };
  return { kind: 'weights', rank: null, bytes: typedBytes(c.weights) + typedBytes(c.sparse), optimizerBytes };
}
