import type { StoredCheckpoint } from './schema';

/** The outcome of checking a stored checkpoint against the loaded model. */
export type CheckpointCheck =
  | { kind: 'none' }
  /** Trained from other pretrained weights (an older or newer model): not used, not damaged. */
  | { kind: 'foreign'; modelId: string }
  | { kind: 'ok'; checkpoint: StoredCheckpoint }
  | { kind: 'damaged'; problem: string };

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

function checkArrays(r: unknown, where: string, sizes: ReadonlyMap<string, number>): string | null {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return `${where} is not a set of arrays`;
  for (const [name, v] of Object.entries(r)) {
    const size = sizes.get(name);
    if (size === undefined) return `${where} has "${name}", which is not a parameter of this model`;
    if (!(v instanceof Float32Array)) return `${where}.${name} is not float32 data`;
    if (v.length !== size) return `${where}.${name} has ${v.length} values, the model needs ${size}`;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return `${where}.${name} contains NaN or infinite values`;
  }
  return null;
}

/**
 * Checks what IndexedDB returned for the checkpoint before any of it reaches the model: shape of
 * the record, every weight (and Adam moment) present in the model with the right length and
 * finite values. A damaged one is reported, never half-applied.
 */
export function checkCheckpoint(raw: unknown, modelId: string, weightSizes: ReadonlyMap<string, number>): CheckpointCheck {
  if (raw === null || raw === undefined) return { kind: 'none' };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { kind: 'damaged', problem: 'the record is not an object' };
  const c = raw as Record<string, unknown>;
  if (typeof c.modelId !== 'string') return { kind: 'damaged', problem: 'it names no model' };
  if (c.modelId !== modelId) return { kind: 'foreign', modelId: c.modelId };
  if (!isCount(c.steps) || !isCount(c.trainedEvents) || typeof c.updatedAt !== 'number' || !Number.isFinite(c.updatedAt)) {
    return { kind: 'damaged', problem: 'its steps, event count or time are not valid numbers' };
  }
  const weights = checkArrays(c.weights, 'weights', weightSizes);
  if (weights) return { kind: 'damaged', problem: weights };
  if (c.optimizer !== null) {
    const o = c.optimizer as Record<string, unknown> | undefined;
    if (typeof o !== 'object' || o === null || !isCount(o.step)) return { kind: 'damaged', problem: 'the optimizer state is not valid' };
    const problem = checkArrays(o.m, 'optimizer.m', weightSizes) ?? checkArrays(o.v, 'optimizer.v', weightSizes);
    if (problem) return { kind: 'damaged', problem };
  }
  return { kind: 'ok', checkpoint: raw as StoredCheckpoint };
}
