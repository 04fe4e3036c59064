/**
 * The page `bench/largeCatalog.ts` drives in Chromium: loads one model folder on one backend with
 * the engine's own code (selectBackend, parseModel, ItemTables, scoreCatalog, personalScores,
 * PersonScores, rankFromScores, finetune) and times the serve and learn steps on a large catalog. One call of
 * `window.largeBench.run` per page load (a backend is chosen once per page).
 */
import * as tf from '@tensorflow/tfjs';
import { parseCatalog } from '../../src/engine/loading/parseCatalog';
import { parseModel } from '../../src/engine/loading/parseModelFiles';
import { resolveConfig } from '../../src/engine/model/config';
import { SasRec } from '../../src/engine/model/sasrec';
import { ItemTables } from '../../src/engine/rank/itemTables';
import { personalScores } from '../../src/engine/rank/personalScores';
import { CatalogIndex, rankFromScores } from '../../src/engine/rank/rankFeed';
import { scoreCatalog } from '../../src/engine/rank/scoreCatalog';
import { PersonScores } from '../../src/engine/recommender/personScores';
import type { Device, InteractionEvent } from '../../src/engine/recommender/types';
import { selectBackend } from '../../src/engine/runtime/selectBackend';
import { interpretEvents } from '../../src/engine/signals';
import { finetune } from '../../src/engine/train/finetune';
import { resolvePolicy } from '../../src/engine/train/finetunePolicy';
import { validateReplay } from '../../src/engine/train/replay';

export interface LargeBenchOptions {
  /** Folder URL of the model (ends with '/'). */
  folder: string;
  device: Device;
  threads: boolean;
  /** Timed repetitions of the serve measures, after `warmup` untimed ones. */
  runs: number;
  warmup: number;
  /** Person's history length (liked items). */
  historyLength: number;
  /** Fine-tuning steps of the timed run (steps 2.. are timed; step 1 compiles kernels). */
  learnSteps: number;
}

export interface LargeBenchResult {
  backend: string;
  adapter: string | null;
  threads: boolean;
  notes: string[];
  numItems: number;
  /** Bytes fetched per file, and ms to fetch + parse. */
  downloadBytes: Record<string, number>;
  loadMs: number;
  /** After load and the first item table: tensors, tensor bytes, JS heap (Chromium, main thread). */
  memoryAfterLoad: { numTensors: number; numBytes: number; jsHeapUsedBytes: number | null; wasmHeapBytes: number | null };
  firstTableMs: number;
  /** Score every item after the history and take the top 100 (ms per repetition). */
  scoreTopKMs: number[];
  /**
   * Uncached whole re-rank on a fixed history: `personalScores` (tfjs forward pass, prior, dislike
   * penalty from scratch) + feed ranking with discovery and new-item slots.
   */
  rerankMs: number[];
  /**
   * The re-rank the app serves after an interaction: a `PersonScores` (as the worker holds it:
   * incremental encoder, dislike-similarity cache) on a history that grows by one event per run
   * (a like, every third a dislike), from `scores(history)` to the ranked feed.
   */
  servedRerankMs: number[];
  /** How the served runs got their scores (all runs, warm-up included): forward-pass paths and dislike-cache use. */
  served: { passes: { tfjs: number; appended: number; reused: number }; near: { hits: number; partial: number; full: number } };
  /** One fine-tuning run: ms of steps 2.. (between step ends, no validation between), softmax used, outcome. */
  learn: { softmax: string; stepMs: number[]; runMs: number; accepted: boolean; reason: string; tensorsLeft: number };
  /** Tensors left after everything was disposed (0 = no leak). */
  tensorsLeft: number;
}

/** Indices of the `k` largest scores, best first (one pass with a small sorted buffer). */
function topK(scores: Float32Array, k: number): Int32Array {
  const ids = new Int32Array(k).fill(-1);
  const vals = new Float32Array(k).fill(-Infinity);
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i];
    if (s <= vals[k - 1]) continue;
    let j = k - 1;
    while (j > 0 && vals[j - 1] < s) { vals[j] = vals[j - 1]; ids[j] = ids[j - 1]; j--; }
    vals[j] = s;
    ids[j] = i;
  }
  return ids;
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

function jsHeap(): number | null {
  const m = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return m ? m.usedJSHeapSize : null;
}

function wasmHeap(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? null;
}

async function run(o: LargeBenchOptions): Promise<LargeBenchResult> {
  const baseline = tf.memory().numTensors;
  const info = await selectBackend(o.device, { wasmPaths: new URL('./assets/', location.href).href, wasmThreads: o.threads, acceptSoftwareGpu: true });
  const t0 = performance.now();
  const files = ['model.json', 'weights.bin', 'catalog.json', 'replay.json'];
  const bytes = new Map(await Promise.all(files.map(async (f) => [f, await fetchBytes(o.folder + f)] as const)));
  const model = parseModel(new Map([['model.json', bytes.get('model.json') as ArrayBuffer], ['weights.bin', bytes.get('weights.bin') as ArrayBuffer]]));
  const catalog = new CatalogIndex(parseCatalog(bytes.get('catalog.json') as ArrayBuffer));
  const replay = validateReplay(JSON.parse(new TextDecoder().decode(bytes.get('replay.json'))) as unknown, model.config.numItems);
  const loadMs = performance.now() - t0;
  // Progress for the bench's log (a large catalog can take minutes per phase).
  const say = (m: string) => console.log(`[large] ${m}`);
  say(`loaded ${(loadMs / 1000).toFixed(1)} s`);
  const tables = new ItemTables(model);
  const t1 = performance.now();
  await tables.tableT().data();
  const firstTableMs = performance.now() - t1;
  say(`item table ${(firstTableMs / 1000).toFixed(1)} s`);
  const memoryAfterLoad = { numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes, jsHeapUsedBytes: jsHeap(), wasmHeapBytes: wasmHeap() };

  // A person with a popular-leaning history, every 5th event a dislike (the penalty runs as in a real feed).
  const n = model.config.numItems;
  const events = Array.from({ length: o.historyLength }, (_, i) => ({ itemId: 1 + ((i * 7919) % Math.min(n, 20_000)), type: (i % 5 === 4 ? 'dislike' : 'like') as 'like' | 'dislike', at: i }));
  const view = interpretEvents(events);
  const policy = resolvePolicy({});
  const prior = catalog.popularityPrior(n);
  // f may time itself (returns ms) when part of a run is set-up.
  const time = async (f: (i: number) => Promise<number | void>): Promise<number[]> => {
    for (let i = 0; i < o.warmup; i++) await f(i);
    const out: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      const s = performance.now();
      const ms = await f(i);
      out.push(typeof ms === 'number' ? ms : performance.now() - s);
    }
    return out;
  };
  let checksum = 0;
  const scoreTopKMs = await time(async () => {
    const scores = await scoreCatalog(model, view.sequence, tables);
    checksum += topK(scores, 100)[0];
  });
  say(`score all + top 100: ${scoreTopKMs.map((x) => x.toFixed(0)).join(', ')} ms`);
  const rerankMs = await time(async (i) => {
    const scores = await personalScores(model, view, policy, prior, tables);
    checksum += rankFromScores(scores, catalog, { count: 24, offset: 0, discover: [0, 0.25, 0.5, 1][i % 4], exclude: view.seen }).length;
  });

  say(`uncached re-rank: ${rerankMs.map((x) => x.toFixed(0)).join(', ')} ms`);
  // The served path: the worker's PersonScores (warmed as the worker warms it) on a history that
  // grows by one event per run, as bench/lib/feedTimings.ts interactionRerankMs clicks (every third a dislike).
  tables.invalidate(); // the served path holds its own tables, as the worker does (frees 3 x [vocab, d] meanwhile)
  const person = new PersonScores(model, policy, prior);
  await person.warm(view.sequence[0] ?? 1);
  const grown: InteractionEvent[] = events.slice();
  const used = new Set(events.map((e) => e.itemId));
  let next = 12_345;
  const servedRerankMs = await time(async (i) => {
    while (used.has(1 + (next % n))) next += 7907;
    const itemId = 1 + (next % n);
    used.add(itemId);
    next += 7907;
    grown.push({ itemId, type: i % 3 === 2 ? 'dislike' : 'like', at: events.length + grown.length });
    const history = { events: grown.slice(), view: interpretEvents(grown), version: grown.length };
    await person.idle(); // the encoder's rebuild after a tfjs pass runs in idle time (a person's pace)
    const s = performance.now();
    const scores = await person.scores(history);
    checksum += rankFromScores(scores, catalog, { count: 24, offset: 0, discover: [0, 0.25, 0.5, 1][i % 4], exclude: history.view.seen }).length;
    return performance.now() - s;
  });
  say(`served re-rank: ${servedRerankMs.map((x) => x.toFixed(0)).join(', ')} ms`);
  const served = { passes: { ...person.passes }, near: { ...person.near.counts } };
  await person.idle();
  person.dispose();

  // One fine-tuning run on a copy of the weights, as the engine does (the policy picks the softmax).
  const pretrained = new Map([...model.weights].map(([name, v]) => [name, tf.clone(v)] as [string, tf.Tensor]));
  const before = tf.memory().numTensors;
  const stepAt: number[] = [];
  const tRun = performance.now();
  const r = await finetune({
    model, pretrained, history: view, replay,
    policy: resolvePolicy({ steps: o.learnSteps, validateEvery: Math.max(1, o.learnSteps), tolerance: 100 }),
    onStep: () => { stepAt.push(performance.now()); say(`fine-tuning step ${stepAt.length}`); },
  });
  const runMs = performance.now() - tRun;
  const learnTensorsLeft = tf.memory().numTensors - before;
  const stepMs = stepAt.slice(1).map((t, i) => t - stepAt[i]);
  for (const t of pretrained.values()) t.dispose();
  tables.dispose();
  model.dispose();
  return {
    backend: info.backend, adapter: info.adapter, threads: info.threads, notes: [...info.notes, `checksum ${checksum}`],
    numItems: n,
    downloadBytes: Object.fromEntries([...bytes].map(([f, b]) => [f, b.byteLength])),
    loadMs, memoryAfterLoad, firstTableMs, scoreTopKMs, rerankMs, servedRerankMs, served,
    learn: { softmax: r.softmax, stepMs, runMs, accepted: r.accepted, reason: r.reason, tensorsLeft: learnTensorsLeft },
    tensorsLeft: tf.memory().numTensors - baseline,
  };
}

export interface SoftmaxSweepOptions {
  device: Device;
  threads: boolean;
  /** Catalog sizes to build a random model of (shipped architecture). */
  sizes: number[];
  historyLength: number;
  /** Steps per run; steps 2.. are timed. */
  steps: number;
}

export interface SoftmaxSweepRow {
  items: number;
  softmax: 'full' | 'sampled';
  stepMs: number[];
  runMs: number;
  tensorsLeft: number;
  /** The run failed (e.g. out of memory): the error, and the sweep stopped there. */
  error: string | null;
}

/**
 * Full vs sampled softmax fine-tuning step time per catalog size, on random models of the shipped
 * architecture built in the page (29 content features, 8 replay rows of 30 items): where the
 * policy's switch (`SAMPLED_SOFTMAX_ABOVE`) comes from.
 */
async function softmaxSweep(o: SoftmaxSweepOptions): Promise<{ backend: string; threads: boolean; rows: SoftmaxSweepRow[] }> {
  const info = await selectBackend(o.device, { wasmPaths: new URL('./assets/', location.href).href, wasmThreads: o.threads, acceptSoftwareGpu: true });
  const rows: SoftmaxSweepRow[] = [];
  for (const n of o.sizes) {
    const features = new Float32Array((n + 1) * 29);
    for (let i = 1; i <= n; i++) { features[i * 29 + (i % 18)] = 0.5; features[i * 29 + 18 + (i % 11)] = 0.5; }
    const config = resolveConfig({ numItems: n, maxLen: 200, dim: 128, blocks: 2, heads: 1, ffnDim: 128, dropout: 0.1, numFeatures: 29, idDropout: 0, initStd: 0.02, positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier' });
    const model = SasRec.create(config, 1, tf.tensor2d(features, [n + 1, 29]));
    const pretrained = new Map([...model.weights].map(([name, v]) => [name, tf.clone(v)] as [string, tf.Tensor]));
    const history = interpretEvents(Array.from({ length: o.historyLength }, (_, i) => ({ itemId: 1 + ((i * 7919) % n), type: 'like' as const, at: i })));
    const replay = Array.from({ length: 16 }, (_, r) => Array.from({ length: 30 }, (_, j) => 1 + ((r * 104729 + j * 7907) % n)));
    // Sampled first: a full-softmax run that runs out of memory is recorded, and ends the sweep.
    let failed = false;
    for (const softmax of ['sampled', 'full'] as const) {
      const before = tf.memory().numTensors;
      const stepAt: number[] = [];
      const t0 = performance.now();
      try {
        await finetune({
          model, pretrained, history, replay,
          policy: resolvePolicy({ softmax, steps: o.steps, validateEvery: o.steps, tolerance: 100 }),
          onStep: () => { stepAt.push(performance.now()); },
        });
        rows.push({ items: n, softmax, stepMs: stepAt.slice(1).map((t, i) => t - stepAt[i]), runMs: performance.now() - t0, tensorsLeft: tf.memory().numTensors - before, error: null });
      } catch (err) {
        rows.push({ items: n, softmax, stepMs: [], runMs: performance.now() - t0, tensorsLeft: tf.memory().numTensors - before, error: String(err) });
        failed = true;
      }
      for (const [name, t] of pretrained) model.w(name).assign(t);
    }
    for (const t of pretrained.values()) t.dispose();
    model.dispose();
    if (failed) break;
  }
  return { backend: info.backend, threads: info.threads, rows };
}

declare global {
  interface Window {
    largeBench?: { run: (o: LargeBenchOptions) => Promise<LargeBenchResult>; softmaxSweep: (o: SoftmaxSweepOptions) => ReturnType<typeof softmaxSweep> };
  }
}
window.largeBench = { run, softmaxSweep };
