/**
 * Large catalogs in the browser: generates synthetic model folders with N items
 * (`make:large-model`, shipped architecture, float16 and uint8), builds a minimal page that runs
 * the engine's own load / score / rank / fine-tune code (bench/large/page.ts), serves it with the
 * app's headers (COOP/COEP: threaded WASM) and measures in Chromium, per backend and precision:
 * download bytes (weights apart from the catalog), memory after load, scoring every item + top
 * 100, the whole re-rank path uncached (personal scores from scratch, discovery, new-item slots) and
 * as the app serves it after an interaction (PersonScores on a growing history) p50/p95, and one
 * fine-tuning run (the policy picks sampled softmax above SAMPLED_SOFTMAX_ABOVE items).
 *
 *   npm run bench:large [-- --items 100000] [--backends wasm,wasm:1,webgpu] [--runs 30] [--port 4741]
 *
 * WebGPU here is SwiftShader (a software adapter): reported as such, with fewer runs.
 * Writes bench/results/large-catalog-<date>.json and .md. Not a test: it reports what it measured.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { failWith, parseCli } from '../scripts/lib/cli';
import { localrecWasmPlugin } from '../scripts/build/wasmFiles';
import { securityHeaders } from '../src/site/securityHeaders';
import { DEFAULT_FINETUNE_POLICY } from '../src/engine/train/finetunePolicy';
import { describeAdapter, gpuAdapterRecord, type GpuAdapterRecord } from './lib/gpuAdapter';
import { machineInfo } from './lib/machine';
import { table, writeResults } from './lib/report';
import { interactionRerankMs, noHistoryRerankMs } from './lib/feedTimings';
import { median, percentile } from './lib/stats';
import type { LargeBenchOptions, LargeBenchResult, SoftmaxSweepRow } from './large/page';

const USAGE = 'usage: npm run bench:large -- [--items 100000[,1000000]] [--precisions float16,uint8] [--backends wasm,wasm:1,webgpu] [--runs 30] [--gpu-runs 5] [--history 50] [--learn-steps 4] [--gpu-learn-steps 2] [--gpu-timeout 300] [--wasm-timeout S (0: none)] [--sweep 3416,10000,25000,50000,100000] [--sweep-steps 4] [--app wasm|none] [--port 4741] [--tag <name>]';
const { values: args } = parseCli('bench:large', USAGE, {
  options: {
    items: { type: 'string', default: '100000' },
    precisions: { type: 'string', default: 'float16,uint8' },
    backends: { type: 'string', default: 'wasm,wasm:1,webgpu' },
    runs: { type: 'string', default: '30' },
    'gpu-runs': { type: 'string', default: '5' },
    history: { type: 'string', default: '50' },
    'learn-steps': { type: 'string', default: '4' },
    'gpu-learn-steps': { type: 'string', default: '2' },
    'gpu-timeout': { type: 'string', default: '300' },
    'wasm-timeout': { type: 'string', default: '0' },
    port: { type: 'string', default: '4741' },
    sweep: { type: 'string', default: '3416,10000,25000,50000,100000' },
    app: { type: 'string', default: 'wasm' },
    'sweep-steps': { type: 'string', default: '4' },
    tag: { type: 'string' },
  },
});
const fail = failWith('bench:large');
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const sizes = list(args.items).map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 2)) fail(`--items must be integers >= 2 (got ${args.items})`);
const precisions = list(args.precisions);
const backends = list(args.backends);
const runs = Number(args.runs);
const gpuRuns = Number(args['gpu-runs']);
const log = (msg: string): void => void process.stderr.write(`[bench:large] ${msg}\n`);
const r1 = (x: number) => Number(x.toFixed(1));
const mb = (b: number) => Number((b / 1e6).toFixed(2));

const loadAtStart = loadavg()[0];
const machine = machineInfo();
const outDir = resolve('dist-bench/large');

// 1. Model folders (generated once; runs/ is ignored by git).
for (const n of sizes) {
  const dir = `runs/large/${n}`;
  if (precisions.every((p) => existsSync(join(dir, p, 'manifest.json')))) continue;
  log(`generating ${dir} (${n} items)…`);
  const r = spawnSync('node_modules/.bin/tsx', ['scripts/makeLargeModel.ts', '--items', String(n), '--out', dir, '--precision', precisions.join(',')], { stdio: 'inherit' });
  if (r.status !== 0) fail(`make:large-model failed for ${n} items`);
}

// 2. The page, built unminified (tfjs starts its WASM threads from function source text).
await build({
  configFile: false, root: resolve('bench/large'), base: './', logLevel: 'warn', plugins: [localrecWasmPlugin()],
  build: { outDir, emptyOutDir: true, minify: false, target: 'es2022', sourcemap: false },
});
for (const n of sizes) for (const p of precisions) cpSync(`runs/large/${n}/${p}`, join(outDir, 'models', `${n}-${p}`), { recursive: true });
const server = await preview({ configFile: false, root: resolve('bench/large'), logLevel: 'warn', build: { outDir }, preview: { port: Number(args.port), strictPort: true, headers: securityHeaders() } });
const base = `http://localhost:${args.port}`;
const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'], headless: true });
const browserVersion = browser.version();

const sweepSizes = list(args.sweep).map(Number);
let sweep: { backend: string; threads: boolean; rows: SoftmaxSweepRow[]; loadBefore: number; loadAfter: number } | null = null;
interface Row { items: number; precision: string; requested: string; result: LargeBenchResult; loadBefore: number; loadAfter: number }
const rows: Row[] = [];
let gpuAdapter: GpuAdapterRecord | null = null;
const timedOut: string[] = [];
try {
  if (sweepSizes.length) {
    // Full vs sampled softmax per catalog size, threaded WASM: where SAMPLED_SOFTMAX_ABOVE comes from.
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(`${base}/index.html`);
    await page.waitForFunction(() => window.largeBench !== undefined);
    const loadBefore = loadavg()[0];
    log(`softmax sweep over ${sweepSizes.join(', ')} items…`);
    const res = await page.evaluate((o) => window.largeBench!.softmaxSweep(o), { device: 'wasm' as const, threads: true, sizes: sweepSizes, historyLength: Number(args.history), steps: Number(args['sweep-steps']) });
    sweep = { ...res, loadBefore, loadAfter: loadavg()[0] };
    for (const r of res.rows) log(`  ${r.items} items, ${r.softmax}: ${r.error ? `failed: ${r.error}` : `step p50 ${r1(median(r.stepMs))} ms, run ${r1(r.runMs)} ms, tensors left ${r.tensorsLeft}`}`);
    await page.close();
  }
  for (const n of sizes) {
    for (const requested of backends) {
      const [device, threadsOff] = requested.split(':');
      const gpu = device === 'webgpu';
      // SwiftShader is slow: WebGPU measures the smaller uint8 download only.
      for (const precision of gpu ? precisions.slice(-1) : precisions) {
        const page = await browser.newPage();
        page.on('pageerror', (e) => log(`page error: ${e.message}`));
        // The page's progress (load, table, each timed phase): the log shows how far a slow run got.
        let reached = 'nothing (loading)';
        page.on('console', (m) => {
          const text = m.text();
          if (!text.startsWith('[large] ')) return;
          reached = text.slice(8);
          log(`  ${reached}`);
        });
        await page.goto(`${base}/index.html`);
        await page.waitForFunction(() => window.largeBench !== undefined);
        gpuAdapter ??= await gpuAdapterRecord(page);
        const opts: LargeBenchOptions = {
          folder: `${base}/models/${n}-${precision}/`, device: device as LargeBenchOptions['device'], threads: threadsOff !== '1',
          runs: gpu ? gpuRuns : runs, warmup: gpu ? 1 : 3, historyLength: Number(args.history), learnSteps: Number(args[gpu ? 'gpu-learn-steps' : 'learn-steps']),
        };
        const loadBefore = loadavg()[0];
        log(`${n} items, ${precision}, ${requested}…`);
        const evaluation = page.evaluate((o) => window.largeBench!.run(o), opts);
        // Closing a timed-out page rejects it: that rejection is expected, not a crash.
        evaluation.catch(() => undefined);
        // The software WebGPU adapter can take minutes per pass on a large catalog: give up after
        // --gpu-timeout (WASM: --wasm-timeout, none by default).
        const limitS = Number(args[gpu ? 'gpu-timeout' : 'wasm-timeout']);
        const result = limitS > 0 ? await Promise.race([evaluation, new Promise<null>((done) => setTimeout(() => done(null), limitS * 1000))]) : await evaluation;
        if (!result) {
          log(`  ${requested}: not finished after ${limitS} s; left out`);
          timedOut.push(`${n} items, ${precision}, ${requested}: not finished within ${limitS} s (load, item table, ${opts.runs} scoring and re-rank runs, a ${opts.learnSteps}-step fine-tuning run); last progress: ${reached}`);
          await page.close().catch(() => undefined);
          continue;
        }
        rows.push({ items: n, precision, requested, result, loadBefore, loadAfter: loadavg()[0] });
        log(`  ${result.backend}${result.threads ? ' (threads)' : ''}: score+top100 p50 ${r1(median(result.scoreTopKMs))} / p95 ${r1(percentile(result.scoreTopKMs, 95))} ms; uncached re-rank p50 ${r1(median(result.rerankMs))} / p95 ${r1(percentile(result.rerankMs, 95))} ms; ` +
          `served re-rank after an interaction p50 ${r1(median(result.servedRerankMs))} / p95 ${r1(percentile(result.servedRerankMs, 95))} ms (${JSON.stringify(result.served)}); ` +
          `${result.learn.softmax} fine-tune step p50 ${r1(median(result.learn.stepMs))} ms; tensors left ${result.tensorsLeft}`);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(resolve('dist-bench'), { recursive: true, force: true });
}

// 3. The real app (built, its worker, the DOM) on the largest uint8 folder: the re-rank a person sees.
interface AppRow { items: number; model: string; backend: string; threads: boolean; firstFeedMs: number; modelReadyMs: number; memory: { numTensors: number; numBytes: number }; afterInteraction: number[]; noHistoryChange: number[] }
let app: AppRow | null = null;
if (args.app !== 'none') {
  const n = Math.max(...sizes);
  const name = `large-${n}-uint8`;
  const modelDir = join('dist/models', name);
  log(`building the app and serving ${name} from it…`);
  await build({ logLevel: 'warn' });
  cpSync(`runs/large/${n}/uint8`, modelDir, { recursive: true });
  const appServer = await preview({ logLevel: 'warn', preview: { port: Number(args.port), strictPort: true } });
  const appBrowser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await appBrowser.newPage();
    page.on('pageerror', (e) => log(`app page error: ${e.message}`));
    await page.goto(`${base}/?model=${name}&device=${args.app}&hooks=1`);
    const mark = async (m: string) => (await (await page.waitForFunction((x) => performance.getEntriesByName(x)[0]?.startTime ?? null, m, { timeout: 300_000, polling: 100 })).jsonValue()) as number;
    const firstFeedMs = await mark('localrec:first-feed');
    const modelReadyMs = await mark('localrec:model-ready');
    const ready = await page.evaluate(async () => {
      const engine = window.localrec!.engine;
      const info = await engine.ready;
      return { backend: info.backend, threads: info.threads, memory: await engine.memory() };
    });
    const afterInteraction = (await interactionRerankMs(page, runs)).inView; // the cards in view (the app renders visible-first)
    const still = await noHistoryRerankMs(page, runs);
    app = { items: n, model: name, backend: ready.backend, threads: ready.threads, firstFeedMs, modelReadyMs, memory: ready.memory, afterInteraction, noHistoryChange: still.all };
    log(`app: ${ready.backend}${ready.threads ? ' (threads)' : ''}, model ready ${r1(modelReadyMs)} ms; re-rank after an interaction p50 ${r1(median(afterInteraction))} / p95 ${r1(percentile(afterInteraction, 95))} ms; no history change p50 ${r1(median(still.all))} / p95 ${r1(percentile(still.all, 95))} ms`);
  } finally {
    await appBrowser.close();
    await appServer.close();
    rmSync(modelDir, { recursive: true, force: true });
  }
}

const loadAtEnd = loadavg()[0];
const weightBytes = (r: LargeBenchResult) => (r.downloadBytes['weights.bin'] ?? 0) + (r.downloadBytes['model.json'] ?? 0);
const summary = rows.map((r) => ({
  items: r.items, precision: r.precision, requested: r.requested, backend: r.result.backend, adapter: r.result.adapter, threads: r.result.threads,
  weightsMB: mb(weightBytes(r.result)), catalogMB: mb(r.result.downloadBytes['catalog.json'] ?? 0), replayMB: mb(r.result.downloadBytes['replay.json'] ?? 0),
  loadMs: r1(r.result.loadMs), firstTableMs: r1(r.result.firstTableMs),
  tensorMB: mb(r.result.memoryAfterLoad.numBytes), jsHeapMB: r.result.memoryAfterLoad.jsHeapUsedBytes === null ? null : mb(r.result.memoryAfterLoad.jsHeapUsedBytes),
  wasmHeapMB: r.result.memoryAfterLoad.wasmHeapBytes === null ? null : mb(r.result.memoryAfterLoad.wasmHeapBytes),
  scoreTopKP50: r1(median(r.result.scoreTopKMs)), scoreTopKP95: r1(percentile(r.result.scoreTopKMs, 95)),
  // rerank*: the uncached path (personalScores from scratch on a fixed history); servedRerank*: PersonScores on a growing history.
  rerankP50: r1(median(r.result.rerankMs)), rerankP95: r1(percentile(r.result.rerankMs, 95)),
  servedRerankP50: r1(median(r.result.servedRerankMs)), servedRerankP95: r1(percentile(r.result.servedRerankMs, 95)), served: r.result.served,
  learnSoftmax: r.result.learn.softmax, learnStepP50: r1(median(r.result.learn.stepMs)), learnRunMs: r1(r.result.learn.runMs), learnSteps: r.result.learn.stepMs.length + 1,
  tensorsLeft: r.result.tensorsLeft, learnTensorsLeft: r.result.learn.tensorsLeft, timedRuns: r.result.scoreTopKMs.length, loadAverage: [r1(r.loadBefore), r1(r.loadAfter)],
}));
const md = [
  `# Large catalogs in the browser ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Synthetic model folders (\`npm run make:large-model\`: the shipped architecture, d 128, 2 blocks, maxLen 200, 29 content features; random weights) served with the app's headers (COOP/COEP), Chromium ${browserVersion}, ${machine.cpuModel} (${machine.cpuCount} cores), load average ${r1(loadAtStart)} at start / ${r1(loadAtEnd)} at end. Command: \`npm run bench:large -- ${process.argv.slice(2).map((a) => (a === '' || /\s/.test(a) ? `'${a}'` : a)).join(' ')}\`.`,
  gpuAdapter ? describeAdapter(gpuAdapter) : 'WebGPU adapter: not queried.',
  '',
  `## Serving and learning on ${sizes.join(', ')} items`,
  '',
  table(
    ['items', 'precision', 'backend', 'weights MB (catalog MB)', 'load ms', 'item table ms', 'tensor MB / JS heap MB / WASM heap MB', 'score all + top 100 p50 / p95 ms', 'uncached re-rank p50 / p95 ms', 'served re-rank after an interaction p50 / p95 ms', 'fine-tune step p50 ms (softmax)', 'tensors left'],
    summary.map((s) => [
      s.items, s.precision, `${s.requested} → ${s.backend}${s.threads ? ' threads' : ''}${s.adapter ? ` (${s.adapter})` : ''}`, `${s.weightsMB} (${s.catalogMB})`, s.loadMs, s.firstTableMs,
      `${s.tensorMB} / ${s.jsHeapMB ?? '–'} / ${s.wasmHeapMB ?? '–'}`, `${s.scoreTopKP50} / ${s.scoreTopKP95}`, `${s.rerankP50} / ${s.rerankP95}`, `${s.servedRerankP50} / ${s.servedRerankP95}`, `${s.learnStepP50} (${s.learnSoftmax})`, `${s.tensorsLeft} / ${s.learnTensorsLeft}`,
    ]),
  ),
  ...timedOut.map((t) => `- ${t}.`),
  '',
  `Weights = model.json + weights.bin (item table, content-feature CSR, transformer); the catalog (titles, genres, years, popularity) is reported apart. Load = fetch + parse of every file from the local server (no network cost). Item table = the first build of the [items, 128] table (ID embedding + content features) and its transposed copy. Memory after load and the first table: tf.memory() bytes, the page's used JS heap (performance.memory, precise), the WASM heap. Score all + top 100 = one forward pass of a ${args.history}-event history over every item, read back, top 100 selected (${runs} timed runs after 3 warm-up; WebGPU ${gpuRuns} after 1, and its fine-tuning run ${args['gpu-learn-steps']} steps). Uncached re-rank = the whole serve path computed from scratch on a fixed history: personal scores (\`personalScores\`: tfjs forward pass, short-history prior, dislike penalty over the whole table: every 5th event is a dislike) and the feed ranking (discovery 0 / 0.25 / 0.5 / 1 in turn, new-item slots, 24 cards). Served re-rank after an interaction = the path the app serves: the worker's \`PersonScores\` (incremental forward pass, the dislike penalty's similarity cache) on that history grown by one event per run (a like, every third a dislike, as the app benchmark clicks), from \`scores(history)\` to the ranked feed (same ranking); not the page's messaging and rendering. Fine-tune = one run of the default policy (replay exemplars mixed in) for ${args['learn-steps']} steps, validation only after the last; step p50 over steps 2..${args['learn-steps']}. Tensors left = after disposing everything / after the fine-tuning run (0 = no leak).`,
  '',
  ...(app ? [
    `## The app with ${app.items} items (uint8 folder, ${app.backend}${app.threads ? ' with threads' : ''})`,
    '',
    `Built app (\`vite build\`, its worker, React feed), \`?model=${app.model}&device=${args.app}\`: model ready ${r1(app.modelReadyMs)} ms after navigation (fresh profile, local server), worker tensor memory ${mb(app.memory.numBytes)} MB in ${app.memory.numTensors} tensors. Re-rank after an interaction (click Like / Not interested until the DOM shows the new feed: record, one forward pass over every item in the worker, scores to the page, ranking with discovery and new-item slots, render) p50 ${r1(median(app.afterInteraction))} / p95 ${r1(percentile(app.afterInteraction, 95))} ms; without a history change (slider, show more, seen toggle: ranking only) p50 ${r1(median(app.noHistoryChange))} / p95 ${r1(percentile(app.noHistoryChange, 95))} ms; ${app.afterInteraction.length} of each.`,
    '',
  ] : []),
  ...(sweep ? [
    `## Fine-tuning step, full vs sampled softmax, by catalog size (${sweep.backend}${sweep.threads ? ' with threads' : ''}, load ${r1(sweep.loadBefore)} → ${r1(sweep.loadAfter)})`,
    '',
    table(['items', 'full softmax step p50 ms', 'sampled step p50 ms', 'full / sampled', 'full run ms', 'sampled run ms'],
      sweepSizes.map((n) => {
        const f = sweep?.rows.find((r) => r.items === n && r.softmax === 'full');
        const smp = sweep?.rows.find((r) => r.items === n && r.softmax === 'sampled');
        const cell = (r: SoftmaxSweepRow | undefined) => (r?.error ? `failed (${r.error.slice(0, 80)})` : r ? r1(median(r.stepMs)) : '–');
        const fm = f && !f.error ? median(f.stepMs) : Number.NaN;
        const sm = smp && !smp.error ? median(smp.stepMs) : Number.NaN;
        return [n, cell(f), cell(smp), Number.isFinite(fm / sm) ? `${(fm / sm).toFixed(2)}x` : '–', r1(f?.runMs ?? Number.NaN), r1(smp?.runMs ?? Number.NaN)];
      })),
    '',
    `Random models of the shipped architecture built in the page (29 content features), a ${args.history}-item history, 16 replay exemplars of 30 items (the policy mixes in 8), the default policy with \`softmax\` forced, ${args['sweep-steps']} steps per run, validation only after the last; step p50 over steps 2..${args['sweep-steps']}. Sampled = ${DEFAULT_FINETUNE_POLICY.sampledNegatives} shared uniform negatives per step, log-Q corrected.`,
    '',
  ] : []),
].join('\n');
const out = writeResults('bench/results', `large-catalog${args.tag ? `-${args.tag}` : ''}`, { machine, loadAverage1m: { start: r1(loadAtStart), end: r1(loadAtEnd) }, gpuAdapter, sweep, summary, timedOut, app, raw: rows }, md);
log(`wrote ${out.json} and ${out.md}`);
