/**
 * Browser benchmark: drives the built app (dist/, served by `vite preview` with the production
 * headers) in Chromium and measures cold load, re-rank latency, fine-tuning speed per backend and
 * tensor growth over 500 fine-tuning steps.
 *
 *   npm run bench:browser [-- --model ml-1m-sasrec] [--backends wasm,webgpu] [--steps 500] [--webgpu-steps 24] [--reranks 30] [--learn-runs 12] [--port 4318]
 *
 * `--backends wasm,wasm:1` compares WASM with threads (the default) and single-threaded WASM.
 * WebGPU here is SwiftShader (software, ~20x slower than WASM): 500 steps of the ML-1M model would
 * take about an hour, so it runs `--webgpu-steps` (tensor growth is then reported for that many).
 *
 * Writes bench/results/browser-<date>.json and .md. Not a test: it reports what it measured.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { basename } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview } from 'vite';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { failWith, parseCli } from '../scripts/lib/cli';
import { describeAdapter, gpuAdapterRecord, type GpuAdapterRecord } from './lib/gpuAdapter';
import { interactionRerankMs, learnToFeedRuns, noHistoryRerankMs, rollbackTrigger, serveBreakdown, type LearnRun } from './lib/feedTimings';
import { resultBase } from './lib/report';
import { median, percentile } from './lib/stats';

const USAGE = 'usage: npm run bench:browser -- [--model <name under public/models>] [--backends wasm,webgpu] [--steps 500] [--webgpu-steps 24] [--reranks 30] [--learn-runs 12] [--port 4318] [--tag <name>] [--policy <json: fine-tuning policy overrides, e.g. {"adapter":"lora"}>]';
const { values: args } = parseCli('bench:browser', USAGE, {
  options: {
    model: { type: 'string' },
    backends: { type: 'string', default: 'wasm,webgpu' },
    steps: { type: 'string', default: '500' },
    'webgpu-steps': { type: 'string', default: '24' },
    reranks: { type: 'string', default: '30' },
    'learn-runs': { type: 'string', default: '12' },
    port: { type: 'string', default: '4318' },
    tag: { type: 'string' },
    policy: { type: 'string' },
  },
});
const model = args.model ?? (existsSync('public/models/ml-1m-sasrec/manifest.json') ? 'ml-1m-sasrec' : 'tiny-test');
const backends = args.backends.split(',').map((b) => b.trim()).filter(Boolean);
const targetSteps = Number(args.steps);
const reranks = Number(args.reranks);
const learnRuns = Number(args['learn-runs']);
// The app takes policy overrides with its test hooks on (`?policy=<json>`, src/ui/appConfig.ts).
if (args.policy !== undefined) {
  try {
    const parsed: unknown = JSON.parse(args.policy);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    failWith('bench:browser')(`--policy must be a JSON object of fine-tuning policy fields, e.g. '{"adapter":"lora"}' (got ${args.policy})`);
  }
}
const policyParam = args.policy !== undefined ? `&policy=${encodeURIComponent(args.policy)}` : '';
if (!existsSync('dist/index.html')) {
  process.stderr.write('dist/ is missing: run `vite build` first (npm run bench:browser does).\n');
  process.exit(2);
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

async function waitMark(page: Page, name: string): Promise<number> {
  const handle = await page.waitForFunction((n) => performance.getEntriesByName(n)[0]?.startTime ?? null, name, { timeout: 180_000, polling: 50 });
  return (await handle.jsonValue()) as number;
}

async function openApp(browser: Browser, base: string, device: string): Promise<{ page: Page; firstFeedMs: number; modelReadyMs: number; ready: { backend: string; adapter: string | null; threads: boolean; notes: string[] } }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  // "wasm:1" = WASM with threads off (single-threaded), to compare with the default in one run.
  const [name, threads] = device.split(':');
  await page.goto(`${base}/?model=${model}&device=${name}&hooks=1${threads === '1' ? '&threads=0' : ''}${policyParam}`);
  const firstFeedMs = await waitMark(page, 'localrec:first-feed');
  const modelReadyMs = await waitMark(page, 'localrec:model-ready');
  const ready = await page.evaluate(async () => {
    const info = await window.localrec!.engine.ready;
    return { backend: info.backend, adapter: info.adapter, threads: info.threads, notes: info.notes };
  });
  return { page, firstFeedMs, modelReadyMs, ready };
}

/**
 * Repeats "like the top item, then learn({force: true})" until `steps` fine-tuning steps were kept.
 * LearnReport.steps counts kept steps only, so ms/step is taken over accepted runs; runs the policy
 * rolled back are counted apart (they still run and allocate, so they count for memory growth).
 */
async function fineTune(page: Page, steps: number): Promise<{ msPerStep: number; steps: number; runs: number; rolledBack: number; rollbackReasons: string[]; rollbackMs: number[]; tensorGrowth: number; bytesGrowth: number; memoryBefore: unknown; memoryAfter: unknown }> {
  return page.evaluate(async (target) => {
    const engine = window.localrec!.engine;
    await engine.learn({ force: true }); // warm-up: compiles kernels / shaders
    const memoryBefore = await engine.memory();
    let done = 0;
    let ms = 0;
    let runs = 0;
    let rolledBack = 0;
    const rollbackReasons: string[] = [];
    const rollbackMs: number[] = [];
    while (done < target && runs < target) {
      const [top] = await engine.recommend({ count: 1 });
      await engine.record({ itemId: top.itemId, type: 'like', at: Date.now() });
      const r = await engine.learn({ force: true });
      runs++;
      if (r.accepted && r.steps > 0) {
        done += r.steps;
        ms += r.ms;
      } else {
        rolledBack++;
        rollbackReasons.push(r.reason);
        rollbackMs.push(r.ms);
      }
    }
    const memoryAfter = await engine.memory();
    return {
      msPerStep: done > 0 ? ms / done : Number.NaN,
      steps: done,
      runs,
      rolledBack,
      rollbackReasons,
      rollbackMs,
      tensorGrowth: memoryAfter.numTensors - memoryBefore.numTensors,
      bytesGrowth: memoryAfter.numBytes - memoryBefore.numBytes,
      memoryBefore,
      memoryAfter,
    };
  }, steps);
}

/** Other work on the machine inflates every wall-clock figure: recorded with the results. */
const loadAtStart = loadavg()[0];
const server = await preview({ preview: { port: Number(args.port), strictPort: true }, logLevel: 'warn' });
const base = `http://localhost:${args.port}`;
const browser = await chromium.launch({
  executablePath: chromiumPath(),
  args: CHROMIUM_ARGS,
  headless: true,
});

try {
  const results: Record<string, unknown> = {};
  let cold: { firstFeedMs: number; modelReadyMs: number } | null = null;
  let gpuAdapter: GpuAdapterRecord | null = null;
  for (const device of backends) {
    log(`${device}: loading ${model}…`);
    const { page, firstFeedMs, modelReadyMs, ready } = await openApp(browser, base, device);
    cold ??= { firstFeedMs, modelReadyMs };
    gpuAdapter ??= await gpuAdapterRecord(page);
    log(`${device}: first feed ${firstFeedMs.toFixed(0)} ms, ready ${modelReadyMs.toFixed(0)} ms on ${ready.backend} (${ready.adapter ?? 'no adapter'})`);
    const interaction = await interactionRerankMs(page, reranks);
    const latencies = interaction.inView;
    log(`${device}: re-rank after an interaction p50 ${median(latencies).toFixed(1)} / p95 ${percentile(latencies, 95).toFixed(1)} ms in view, whole list ${median(interaction.whole).toFixed(1)} / ${percentile(interaction.whole, 95).toFixed(1)} ms`);
    const still = await noHistoryRerankMs(page, reranks);
    log(`${device}: re-rank without history change p50 ${median(still.all).toFixed(1)} / p95 ${percentile(still.all, 95).toFixed(1)} ms in view, whole list ${median(still.whole).toFixed(1)} / ${percentile(still.whole, 95).toFixed(1)} ms`);
    const parts = await serveBreakdown(page, Math.max(6, Math.round(reranks / 3)));
    log(`${device}: record ${median(parts.recordMs).toFixed(1)} ms, feed inputs ${median(parts.inputsMs).toFixed(1)} ms, page rank ${median(parts.pageRankMs).toFixed(1)} ms (p50)`);
    const learnt: LearnRun[] = await learnToFeedRuns(page, device === 'webgpu' ? Math.min(3, learnRuns) : learnRuns);
    const kept = learnt.filter((x) => x.accepted);
    log(`${device}: learn to feed p50 ${median(kept.map((x) => x.ms)).toFixed(0)} ms (final weights ${median(kept.map((x) => x.finalMs ?? Number.NaN)).toFixed(0)} ms) over ${kept.length} kept runs (${learnt.length - kept.length} rolled back)`);
    const steps = device === 'webgpu' ? Number(args['webgpu-steps']) : targetSteps;
    const ft = await fineTune(page, steps);
    log(`${device}: ${ft.steps} kept steps in ${ft.runs} runs (${ft.rolledBack} rolled back) at ${ft.msPerStep.toFixed(1)} ms/step, tensors +${ft.tensorGrowth}`);
    // Every run that kept nothing, in both loops, by what ended it, and what it cost.
    const rolled = [...learnt.filter((x) => !x.accepted).map((x) => ({ reason: x.reason, ms: x.ms })), ...ft.rollbackReasons.map((reason, i) => ({ reason, ms: ft.rollbackMs[i] }))];
    const triggers: Record<string, number> = {};
    for (const r of rolled) triggers[rollbackTrigger(r.reason)] = (triggers[rollbackTrigger(r.reason)] ?? 0) + 1;
    results[device] = {
      backend: ready.backend,
      adapter: ready.adapter,
      threads: ready.threads,
      notes: ready.notes,
      firstFeedMs: round(firstFeedMs),
      modelReadyMs: round(modelReadyMs),
      rerankP50Ms: round(median(latencies)),
      rerankP95Ms: round(percentile(latencies, 95)),
      reranks: latencies.length,
      rerankWholeP50Ms: round(median(interaction.whole)),
      rerankWholeP95Ms: round(percentile(interaction.whole, 95)),
      rerankNoHistoryP50Ms: round(median(still.all)),
      rerankNoHistoryP95Ms: round(percentile(still.all, 95)),
      rerankNoHistoryWholeP50Ms: round(median(still.whole)),
      rerankNoHistoryWholeP95Ms: round(percentile(still.whole, 95)),
      rerankNoHistory: {
        slider: { p50Ms: round(median(still.slider)), p95Ms: round(percentile(still.slider, 95)), runs: still.slider.length },
        showMore: { p50Ms: round(median(still.showMore)), p95Ms: round(percentile(still.showMore, 95)), runs: still.showMore.length },
        seenToggle: { p50Ms: round(median(still.seenToggle)), p95Ms: round(percentile(still.seenToggle, 95)), runs: still.seenToggle.length },
      },
      serveBreakdownP50Ms: { record: round(median(parts.recordMs)), feedInputs: round(median(parts.inputsMs)), pageRank: round(median(parts.pageRankMs)) },
      serveBreakdownP95Ms: { record: round(percentile(parts.recordMs, 95)), feedInputs: round(percentile(parts.inputsMs, 95)), pageRank: round(percentile(parts.pageRankMs, 95)) },
      learnToFeedP50Ms: round(median(kept.map((x) => x.ms))),
      learnToFinalFeedP50Ms: round(median(kept.map((x) => x.finalMs ?? Number.NaN))),
      learnRunP50Ms: round(median(kept.map((x) => x.runMs))),
      learnToFeedRuns: learnt,
      runsRolledBack: rolled.length,
      runsTotal: learnt.length + ft.runs,
      rollbackTriggers: triggers,
      rollbackMsP50: round(median(rolled.map((r) => r.ms))),
      finetuneRollbackReasons: ft.rollbackReasons,
      finetuneMsPerStep: round(ft.msPerStep, 2),
      finetuneSteps: ft.steps,
      finetuneRuns: ft.runs,
      finetuneRunsRolledBack: ft.rolledBack,
      tensorGrowthAfter500Steps: ft.steps >= 500 ? ft.tensorGrowth : null,
      bytesGrowthAfter500Steps: ft.steps >= 500 ? ft.bytesGrowth : null,
      tensorGrowth: ft.tensorGrowth,
      bytesGrowth: ft.bytesGrowth,
      tensorGrowthAfterSteps: ft.steps,
      memoryBefore: ft.memoryBefore,
      memoryAfter: ft.memoryAfter,
    };
    await page.context().close();
  }
  const resultFile = resultBase('bench/results', 'browser', args.tag);
  const date = basename(resultFile).slice('browser-'.length);
  const out = {
    machine: { platform: `${platform()} ${release()}`, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGb: round(totalmem() / 2 ** 30), browser: `Chromium ${browser.version()}`, node: process.version, loadAverage1mAtStart: round(loadAtStart, 2), loadAverage1mAtEnd: round(loadavg()[0], 2), gpuAdapter },
    model,
    policy: args.policy !== undefined ? (JSON.parse(args.policy) as unknown) : null,
    date: new Date().toISOString(),
    firstFeedMs: cold ? round(cold.firstFeedMs) : null,
    modelReadyMs: cold ? round(cold.modelReadyMs) : null,
    backends: results,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`${resultFile}.json`, `${JSON.stringify(out, null, 2)}\n`);
  const rows = Object.entries(results).map(([device, r]) => {
    const v = r as Record<string, number | string | null>;
    return `| ${device} | ${v.backend} | ${v.adapter ?? '—'} | ${v.firstFeedMs} | ${v.modelReadyMs} | ${v.rerankP50Ms} / ${v.rerankP95Ms} (${v.rerankWholeP50Ms} / ${v.rerankWholeP95Ms}) | ${v.rerankNoHistoryP50Ms} / ${v.rerankNoHistoryP95Ms} (${v.rerankNoHistoryWholeP50Ms} / ${v.rerankNoHistoryWholeP95Ms}) | ${v.learnToFeedP50Ms} / ${v.learnToFinalFeedP50Ms} | ${v.finetuneMsPerStep} | ${v.finetuneSteps} | ${v.runsRolledBack} of ${v.runsTotal} | ${v.rollbackMsP50} | ${v.tensorGrowth} | ${v.bytesGrowth} |`;
  });
  const reasons = Object.entries(results).map(([device, r]) => {
    const v = r as { rollbackTriggers: Record<string, number>; serveBreakdownP50Ms: Record<string, number>; serveBreakdownP95Ms: Record<string, number>; rerankNoHistory: Record<string, { p50Ms: number; p95Ms: number }> };
    const list = Object.entries(v.rollbackTriggers).map(([why, k]) => `${k} × ${why}`).join('; ');
    const b = v.serveBreakdownP50Ms;
    const b95 = v.serveBreakdownP95Ms;
    const nh = v.rerankNoHistory;
    return [
      `- ${device}: runs that kept nothing, by trigger: ${list || 'none'}.`,
      `- ${device}: an interaction from the page, p50 / p95 ms: \`record\` round trip (worker call, IndexedDB write, snapshot, and since the seventh session the feed's inputs pushed behind it) ${b.record} / ${b95.record}; the feed's inputs after it (from the push; before, a worker call, the forward pass started during the write) ${b.feedInputs} / ${b95.feedInputs}; ranking on the page ${b.pageRank} / ${b95.pageRank}. No history change by kind, cards in view, p50 / p95 ms: slider ${nh.slider.p50Ms} / ${nh.slider.p95Ms}, show more ${nh.showMore.p50Ms} / ${nh.showMore.p95Ms}, seen toggle ${nh.seenToggle.p50Ms} / ${nh.seenToggle.p95Ms}.`,
    ].join('\n');
  });
  writeFileSync(
    `${resultFile}.md`,
    [
      `# Browser benchmark ${date}`,
      '',
      `Model \`${model}\`, ${out.machine.browser}, ${out.machine.cpu} (${out.machine.cores} cores), ${out.machine.platform}, load average ${out.machine.loadAverage1mAtStart} at start / ${out.machine.loadAverage1mAtEnd} at end. Command: \`npm run bench:browser -- ${process.argv.slice(2).map((a) => (/[\s{}"]/.test(a) ? `'${a}'` : a)).join(' ')}\`.${args.policy ? ` Fine-tuning policy overrides: \`${args.policy}\`.` : ''}`,
      `Cold load (fresh profile, first backend): first feed ${out.firstFeedMs} ms, model ready ${out.modelReadyMs} ms.`,
      gpuAdapter ? describeAdapter(gpuAdapter) : 'WebGPU adapter: not queried.',
      '',
      '| requested | backend | adapter | first feed ms | model ready ms | re-rank after an interaction p50 / p95 ms: cards in view (whole list) | re-rank, no history change p50 / p95 ms: cards in view (whole list) | learn to feed p50 ms: first adapted / final | fine-tune ms/step | steps | rolled back (runs) | rollback ms p50 | tensor growth | byte growth |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      ...reasons,
      '',
      `Re-rank after an interaction = click on a card action until the feed in the DOM shows the new ranking (${reranks} interactions, auto-learning off, each 200 ms after the previous one settled and after scrolling the control into view; a MutationObserver ends the timing, so it is not rounded up to a frame). No history change = the discover slider to another stop, "Show more", the "Show seen items" toggle, in turn (${reranks} in all). The feed renders visible-first (\`src/ui/useVisibleFirst.ts\`): the first figure ends when the cards in view show the new ranking, the one in brackets when the whole list does. Learn to feed = \`learn({force: true})\` after a like until the feed shows a ranking from new weights: the first adapted feed (the run's first validated step, served at once) / the feed from the run's final weights, medians over accepted runs (${learnRuns} runs; WebGPU: at most 3). Rolled back = runs that kept nothing, in the learn-to-feed runs and the fine-tune loop together; rollback ms = \`learn()\` to its report. Fine-tune = like the top item then \`learn({force: true})\`, repeated until ${targetSteps} kept steps (WebGPU: ${args['webgpu-steps']}), after one warm-up run; ms/step over accepted runs (rolled-back runs are not counted in it); growth = \`tf.memory()\` in the worker after minus before (the serve loop keeps the item table of the live weights, 3 tensors, and drops it on a weight change until the next re-rank rebuilds it: -3 means the last run changed the weights).`,
      '',
    ].join('\n'),
  );
  log(`wrote ${resultFile}.json and .md`);
} finally {
  await browser.close();
  await server.close();
}
