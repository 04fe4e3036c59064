/**
 * Browser entry of the numerics check (e2e/numerics.spec.ts bundles it with esbuild; it is not
 * part of the app build). Loads model folders with the engine's own loader (float16 weights are
 * dequantized exactly as the app does), then compares every backend with the CPU through
 * `runNumerics`. Exposed as `window.localrecNumerics.run(options)`.
 */
import { fetchManifest, fetchModelFiles, requiredFiles } from '../../loading/fetchModelFiles';
import { parseModel } from '../../loading/parseModelFiles';
import type { Backend } from '../../recommender/types';
import { selectBackend } from '../../runtime/selectBackend';
import type { Tolerance } from './compareNumbers';
import { caseFromModel, type CaseShape } from './numericsCases';
import { runNumerics, type NumericsReport } from './numericsHarness';
import type { NumericsCase } from './numericsRun';

/** What the e2e test asks for. */
export interface NumericsPageOptions {
  models: { name: string; url: string; shape: CaseShape }[];
  backends: Backend[];
  /** URL prefix of the tfjs WASM binaries. */
  wasmPaths: string;
  tolerances?: Partial<Record<Backend, Tolerance>>;
  corrupt?: { backend: Backend; case: string };
}

async function loadCases(models: NumericsPageOptions['models'], wasmPaths: string): Promise<NumericsCase[]> {
  await selectBackend('cpu', { wasmPaths, wasmThreads: false });
  const cases: NumericsCase[] = [];
  for (const m of models) {
    const manifest = await fetchManifest(m.url, { cache: null });
    const files = await fetchModelFiles(m.url, manifest, requiredFiles(manifest), { cache: null });
    const model = parseModel(files);
    try {
      cases.push(await caseFromModel(m.name, model, m.shape));
    } finally {
      model.dispose();
    }
  }
  return cases;
}

async function run(o: NumericsPageOptions): Promise<NumericsReport> {
  const cases = await loadCases(o.models, o.wasmPaths);
  return runNumerics({
    cases,
    backends: o.backends,
    tolerances: o.tolerances,
    corrupt: o.corrupt,
    activate: async (backend) => (await selectBackend(backend, { wasmPaths: o.wasmPaths, wasmThreads: false })).adapter,
  });
}

(globalThis as { localrecNumerics?: { run: typeof run } }).localrecNumerics = { run };
