import { checkAdapterValues, isAdapterKind, MAX_ADAPTER_RANK, type AdapterKind } from '../train/adapters';
import { sparseRowsProblem } from '../train/sparseRows';
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

/** Shapes of a per-person adapter of this kind and rank for the loaded model (`adapterShapes`). */
export type AdapterShapesOf = (kind: AdapterKind, rank: number) => ReadonlyMap<string, number[]>;

/** What `checkCheckpoint` needs to know of the loaded model beyond its weight sizes. */
export interface CheckpointModel {
  /** Row count of the 2-D parameters a checkpoint may store by rows (large catalogs). */
  weightRows?: ReadonlyMap<string, number>;
  /** Adapter shapes for the model; without it a checkpoint holding an adapter is damaged. */
  adapterShapes?: AdapterShapesOf;
}

/**
 * Checks a stored adapter against the model; on success adds its tensors' sizes to `sizes` (its
 * Adam moments are stored under the same names). Null when intact, else what is wrong.
 */
function checkAdapter(raw: unknown, shapesOf: AdapterShapesOf | undefined, sizes: Map<string, number>): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'the adapter is not an object';
  const a = raw as Record<string, unknown>;
  if (!isAdapterKind(a.kind)) return `the adapter kind ${JSON.stringify(a.kind)} is not one of lora, bias, userEmbedding`;
  const least = a.kind === 'lora' ? 1 : 0;
  if (typeof a.rank !== 'number' || !Number.isInteger(a.rank) || a.rank < least || a.rank > MAX_ADAPTER_RANK) {
    return `the adapter rank is not a whole number ${least}..${MAX_ADAPTER_RANK}`;
  }
  if (!shapesOf) return 'it holds a personal adapter, which this engine was not given the shapes to check';
  const t = a.tensors;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return 'adapter.tensors is not a set of arrays';
  const tensors = t as Record<string, unknown>;
  for (const [name, v] of Object.entries(tensors)) if (!(v instanceof Float32Array)) return `adapter.tensors.${name} is not float32 data`;
  const shapes = shapesOf(a.kind, a.rank);
  const problem = checkAdapterValues(shapes, tensors as Record<string, Float32Array>);
  if (problem) return `the ${a.kind} adapter does not fit this model: ${problem}`;
  for (const [name, shape] of shapes) sizes.set(name, shape.reduce((x, y) => x * y, 1));
  return null;
}

/** Checks a record of sparse-rows parameters (`sparse`, or the optimizer's `rows`). */
function checkSparse(r: unknown, where: string, sizes: ReadonlyMap<string, number>, rowsOf: ReadonlyMap<string, number>, arrays: readonly string[]): string | null {
  if (r === undefined) return null;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return `${where} is not a set of row records`;
  for (const [name, v] of Object.entries(r)) {
    const size = sizes.get(name);
    const rows = rowsOf.get(name);
    if (size === undefined || rows === undefined) return `${where} has "${name}", which is not a row-stored parameter of this model`;
    const problem = sparseRowsProblem(v, `${where}.${name}`, rows, size / rows, arrays);
    if (problem) return problem;
  }
  return null;
}

/**
 * Checks what IndexedDB returned for the checkpoint before any of it reaches the model: shape of
 * the record, every weight (and Adam moment) present in the model with the right length and
 * finite values, row-stored parameters (`sparse`, optimizer `rows`: ids inside the table, one row
 * of values per id), and a per-person adapter (`adapter`, then `weights` is empty) with exactly
 * the tensors `adapterShapes` names for the model, finite. A damaged one is reported, never
 * half-applied. Checkpoints from before adapters or row storage (neither field) check as before.
 * `model.weightRows`: row count of the 2-D parameters that may be stored by rows.
 */
export function checkCheckpoint(raw: unknown, modelId: string, weightSizes: ReadonlyMap<string, number>, model: CheckpointModel = {}): CheckpointCheck {
  const weightRows = model.weightRows ?? new Map<string, number>();
  const adapterShapes = model.adapterShapes;
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
  const sparse = checkSparse(c.sparse, 'sparse', weightSizes, weightRows, ['values']);
  if (sparse) return { kind: 'damaged', problem: sparse };
  const both = c.sparse ? Object.keys(c.sparse).filter((n) => Object.hasOwn(c.weights as object, n)) : [];
  if (both.length) return { kind: 'damaged', problem: `"${both[0]}" is stored both whole and by rows` };
  // Adam moments are named after what trained: model weights, or the adapter's tensors.
  const sizes = new Map(weightSizes);
  if (c.adapter !== undefined) {
    const problem = checkAdapter(c.adapter, adapterShapes, sizes);
    if (problem) return { kind: 'damaged', problem };
  }
  if (c.optimizer !== null) {
    const o = c.optimizer as Record<string, unknown> | undefined;
    if (typeof o !== 'object' || o === null || !isCount(o.step)) return { kind: 'damaged', problem: 'the optimizer state is not valid' };
    const problem = checkArrays(o.m, 'optimizer.m', sizes) ?? checkArrays(o.v, 'optimizer.v', sizes) ??
      checkSparse(o.rows, 'optimizer.rows', weightSizes, weightRows, ['m', 'v']);
    if (problem) return { kind: 'damaged', problem };
  }
  return { kind: 'ok', checkpoint: raw as StoredCheckpoint };
}
