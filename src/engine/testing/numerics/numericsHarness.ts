import type { Backend } from '../../recommender/types';
import { compareValues, describeFailures, groupOf, type EntryComparison, type NumericsValues, type Tolerance } from './compareNumbers';
import { makeOpCase, opReferences, runOpChecks } from './opChecks';
import { runCase, type NumericsCase } from './numericsRun';

/**
 * Tolerances against the CPU backend (docs/NUMERICS.md): about 15x the worst error measured on
 * either backend (6.6e-6 of the group scale, WASM's Adam step on the shipped-model slice), and
 * 100x below the error of a lost duplicate contribution to an embedding gradient.
 */
export const DEFAULT_TOLERANCES: Readonly<Record<Backend, Tolerance>> = Object.freeze({
  cpu: { rtol: 0, atol: 0 },
  wasm: { rtol: 1e-3, atol: 1e-4 },
  webgpu: { rtol: 1e-3, atol: 1e-4 },
});

/** Scatter-adds and gathers against their float64 sums (any backend). */
export const OP_TOLERANCE: Readonly<Tolerance> = Object.freeze({ rtol: 1e-5, atol: 1e-6 });

export interface NumericsOptions {
  cases: NumericsCase[];
  /** Compared with the CPU, which is always run first as the reference. */
  backends: Backend[];
  /** Makes a backend the active one; resolves with its adapter description (WebGPU) or null. */
  activate(backend: Backend): Promise<string | null>;
  tolerances?: Partial<Record<Backend, Tolerance>>;
  /**
   * Test of the test: on this backend and case, the item-embedding gradient row of the most
   * repeated item is divided by its repeat count, the error of a kernel that keeps one of k
   * duplicate contributions (tfjs #8174). The check must then fail.
   */
  corrupt?: { backend: Backend; case: string };
}

/** Largest error in one group of entries (forward, loss, ce, sampled, bce, adam, finetune, op), relative to the group's scale. */
export interface WorstError { entry: string; maxRelToScale: number; maxAbs: number }

export interface BackendCaseResult {
  backend: Backend;
  case: string;
  passed: boolean;
  /** Entries compared. */
  entries: number;
  /** One line per failed entry (empty when passed). */
  failures: string;
  worst: Record<string, WorstError>;
  leakedTensors: number;
}

export interface NumericsReport {
  passed: boolean;
  adapters: Partial<Record<Backend, string | null>>;
  results: BackendCaseResult[];
  /** Kernels a backend does not have (e.g. UnsortedSegmentSum on WASM): not compared. */
  unsupported: { backend: Backend; entry: string; message: string }[];
  tolerances: Record<Backend, Tolerance>;
}

function summarize(backend: Backend, name: string, rows: EntryComparison[], leakedTensors: number): BackendCaseResult {
  const worst: Record<string, WorstError> = {};
  for (const r of rows) {
    const kind = groupOf(r.name);
    const w = worst[kind];
    if (!w || r.maxRelToScale > w.maxRelToScale) worst[kind] = { entry: r.name, maxRelToScale: r.maxRelToScale, maxAbs: r.maxAbs };
  }
  const passed = rows.every((r) => r.passed) && leakedTensors === 0;
  const failures = [describeFailures(rows), leakedTensors ? `${leakedTensors} tensor(s) leaked` : ''].filter(Boolean).join('\n');
  return { backend, case: name, passed, entries: rows.length, failures, worst, leakedTensors };
}

/** The item that occurs most often in a case's histories, and how often. */
export function mostRepeatedItem(c: NumericsCase): { item: number; count: number } {
  const counts = new Map<number, number>();
  for (const s of c.sequences) for (const i of s) counts.set(i, (counts.get(i) ?? 0) + 1);
  let best = { item: 0, count: 0 };
  for (const [item, count] of counts) if (count > best.count) best = { item, count };
  return best;
}

function dropDuplicates(values: NumericsValues, c: NumericsCase): void {
  const g = values['ce/grad/item_emb'];
  const { item, count } = mostRepeatedItem(c);
  const dim = c.weights.get('item_emb')?.shape[1] ?? 0;
  for (let j = 0; j < dim; j++) g[item * dim + j] /= count;
}

/** Runs every case and the op checks on the CPU and on each backend, and compares. */
export async function runNumerics(o: NumericsOptions): Promise<NumericsReport> {
  const tolerances = { ...DEFAULT_TOLERANCES, ...o.tolerances };
  const opCase = makeOpCase();
  const opRefs = opReferences(opCase);
  const adapters: NumericsReport['adapters'] = {};
  const results: BackendCaseResult[] = [];
  const unsupported: NumericsReport['unsupported'] = [];
  const reference = new Map<string, NumericsValues>();
  for (const backend of ['cpu' as const, ...o.backends.filter((b) => b !== 'cpu')]) {
    adapters[backend] = await o.activate(backend);
    const ops = await runOpChecks(opCase);
    for (const [entry, message] of Object.entries(ops.unsupported)) unsupported.push({ backend, entry, message });
    const known = Object.fromEntries(Object.entries(opRefs).filter(([k]) => !(k in ops.unsupported)));
    results.push(summarize(backend, 'ops', compareValues(known, ops.values, OP_TOLERANCE), 0));
    for (const c of o.cases) {
      const run = await runCase(c);
      if (o.corrupt?.backend === backend && o.corrupt.case === c.name) dropDuplicates(run.values, c);
      if (backend === 'cpu') {
        reference.set(c.name, run.values);
        results.push(summarize(backend, c.name, [], run.leakedTensors));
        continue;
      }
      const ref = reference.get(c.name) ?? {};
      results.push(summarize(backend, c.name, compareValues(ref, run.values, tolerances[backend], run.floors), run.leakedTensors));
    }
  }
  return { passed: results.every((r) => r.passed), adapters, results, unsupported, tolerances };
}
