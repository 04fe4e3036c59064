/**
 * Large-history benchmark: the built app (dist/, `vite preview`) in Chromium with a 50,000-event
 * history in IndexedDB. Measures the load (navigation to the first feed ranked by the model) and
 * the re-rank latency after an interaction and without history change, the same way as
 * `bench:browser` (ms until the DOM holds the new ranking), and the engine's tensor count before
 * and after. The history is stored through the engine's own import (one transaction).
 *
 *   npm run bench:history [-- --model ml-1m-sasrec] [--events 50000] [--reranks 30] [--port 4319]
 *
 * Writes bench/results/history-<date>.json and .md. Not a test: it reports what it measured.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { preview } from 'vite';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { parseCli } from '../scripts/lib/cli';
import { interactionRerankMs, noHistoryRerankMs } from './lib/feedTimings';
import { table, writeResults } from './lib/report';
import { median, percentile } from './lib/stats';

const USAGE = 'usage: npm run bench:history -- [--model <name under public/models>] [--events 50000] [--reranks 30] [--port 4319]';
const { values: args } = parseCli('bench:history', USAGE, {
  options: {
    model: { type: 'string' },
    events: { type: 'string', default: '50000' },
    reranks: { type: 'string', default: '30' },
    port: { type: 'string', default: '4319' },
  },
});
const model = args.model ?? (existsSync('public/models/ml-1m-sasrec/manifest.json') ? 'ml-1m-sasrec' : 'tiny-test');
const eventCount = Number(args.events);
const reranks = Number(args.reranks);
if (!existsSync('dist/index.html')) {
  process.stderr.write('dist/ is missing: run `vite build` first (npm run bench:history does).\n');
  process.exit(2);
}
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const round = (x: number): number => Number(x.toFixed(1));

async function waitMark(page: Page, name: string): Promise<number> {
  const handle = await page.waitForFunction((n) => performance.getEntriesByName(n).at(-1)?.startTime ?? null, name, { timeout: 300_000, polling: 50 });
  return (await handle.jsonValue()) as number;
}

const loadAtStart = loadavg()[0];
const server = await preview({ preview: { port: Number(args.port), strictPort: true }, logLevel: 'warn' });
const base = `http://localhost:${args.port}`;
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
try {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  const url = `${base}/?model=${model}&device=wasm&hooks=1`;
  await page.goto(url);
  await waitMark(page, 'localrec:model-ready');
  // A long history over half the catalog (the other half stays unseen, so the feed has items to
  // show): every 10th event a like, every 25th a dislike.
  const importMs = await page.evaluate(async (n) => {
    const engine = window.localrec!.engine;
    const ids = (await engine.catalog()).map((c) => c.id);
    const half = Math.max(1, Math.floor(ids.length / 2));
    const t0 = Date.now() - n * 60_000;
    const events = Array.from({ length: n }, (_, i) => ({ itemId: ids[(i * 7919) % half], type: i % 25 === 0 ? 'dislike' : i % 10 === 0 ? 'like' : 'view', at: t0 + i * 60_000 }));
    const bundle = { ...(await engine.exportData()), events, checkpoint: null, settings: { discover: 0.25, autoLearn: false, onboarded: true } };
    const start = performance.now();
    await engine.importData(bundle);
    return performance.now() - start;
  }, eventCount);
  log(`[bench:history] imported ${eventCount} events in ${round(importMs)} ms`);
  // Load with the long history: a fresh page, timed from navigation.
  const loads: { firstFeedMs: number; modelReadyMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(url);
    const firstFeedMs = await waitMark(page, 'localrec:first-feed');
    const modelReadyMs = await waitMark(page, 'localrec:model-ready');
    await page.waitForSelector('.feed-list[data-ready="true"] article.card', { timeout: 300_000 });
    const modelFeedMs = await page.evaluate(() => performance.now());
    loads.push({ firstFeedMs, modelReadyMs: Math.max(modelReadyMs, modelFeedMs) });
  }
  const status = await page.evaluate(async () => (await window.localrec!.engine.status()).interactions);
  const memoryBefore = await page.evaluate(async () => (await window.localrec!.engine.memory()).numTensors);
  const interaction = await interactionRerankMs(page, reranks);
  const noChange = await noHistoryRerankMs(page, reranks);
  const memoryAfter = await page.evaluate(async () => (await window.localrec!.engine.memory()).numTensors);
  const summary = (xs: number[]) => ({ p50: round(median(xs)), p95: round(percentile(xs, 95)), n: xs.length });
  const result = {
    date: new Date().toISOString(),
    model,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage1mAtStart: loadAtStart, loadAverage1mAtEnd: loadavg()[0] },
    events: eventCount,
    storedInteractions: status,
    importMs: round(importMs),
    loads: loads.map((l) => ({ firstFeedMs: round(l.firstFeedMs), modelFeedMs: round(l.modelReadyMs) })),
    // The cards in view (the app renders visible-first) and the whole list.
    afterInteractionMs: summary(interaction.inView),
    afterInteractionWholeMs: summary(interaction.whole),
    noHistoryChangeMs: summary(noChange.all),
    noHistoryChangeWholeMs: summary(noChange.whole),
    engineTensors: { before: memoryBefore, after: memoryAfter },
  };
  const md = [
    `# Large-history benchmark ${result.date.slice(0, 10)}`,
    '',
    `Model \`${model}\` on WASM in Chromium, ${result.machine.cpu} (${result.machine.cores} cores), load average ${loadAtStart.toFixed(1)} at start, ${result.machine.loadAverage1mAtEnd.toFixed(1)} at the end. Command: \`npm run bench:history -- --events ${eventCount} --reranks ${reranks}\`.`,
    `${eventCount} events stored (import: ${result.importMs} ms); the engine reports ${status} interactions.`,
    '',
    table(['', 'p50 ms', 'p95 ms', 'runs'], [
      ['re-rank after an interaction, cards in view', result.afterInteractionMs.p50, result.afterInteractionMs.p95, result.afterInteractionMs.n],
      ['re-rank after an interaction, whole list', result.afterInteractionWholeMs.p50, result.afterInteractionWholeMs.p95, result.afterInteractionWholeMs.n],
      ['re-rank, no history change, cards in view', result.noHistoryChangeMs.p50, result.noHistoryChangeMs.p95, result.noHistoryChangeMs.n],
      ['re-rank, no history change, whole list', result.noHistoryChangeWholeMs.p50, result.noHistoryChangeWholeMs.p95, result.noHistoryChangeWholeMs.n],
    ]),
    '',
    table(['page load', 'first feed ms', 'model-ranked feed ms'], result.loads.map((l, i) => [i + 1, l.firstFeedMs, l.modelFeedMs])),
    '',
    `Engine tensors before the re-ranks ${memoryBefore}, after ${memoryAfter}.`,
  ].join('\n');
  const paths = writeResults('bench/results', 'history', result, md);
  log(md);
  log(`[bench:history] wrote ${paths.json} and ${paths.md}`);
} finally {
  await browser.close();
  await server.close();
}
