/**
 * Widget benchmark: sizes of the built library (dist-lib/) and the time a host page on another
 * origin takes, with `<localrec-feed>` loaded from the widget origin, to show its first (popular)
 * feed, its first model-ranked feed, and the feed re-ranked after a like; cold (fresh browser
 * profile) and warm (reload: model in the Cache API, files revalidated), for one widget and for
 * two on one page. Medians over `--runs`, all measured in one run.
 *
 *   npm run bench:widget [-- --model ml-1m-sasrec] [--runs 5] [--port 4344]
 *
 * Uses ports --port (widget origin, 127.0.0.1) and --port + 1 (host origin, localhost).
 * Writes bench/results/widget-<date>.json and .md. Not a test: it reports what it measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium';
import { hostPage, startEmbedOrigins } from '../e2e/widget/origins';
import { failWith, parseCli } from '../scripts/lib/cli';
import { machineInfo } from './lib/machine';
import { table, writeResults } from './lib/report';
import { median, round } from './lib/stats';

const USAGE = 'usage: npm run bench:widget -- [--model <name under public/models>] [--runs 5] [--port 4344]';
const { values: args } = parseCli('bench:widget', USAGE, {
  options: { model: { type: 'string', default: 'ml-1m-sasrec' }, runs: { type: 'string', default: '5' }, port: { type: 'string', default: '4344' } },
});
const fail = failWith('bench:widget');
const runs = Number(args.runs);
const port = Number(args.port);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs ${args.runs}: give a whole number >= 1`);
if (!Number.isInteger(port) || port < 1024) fail(`--port ${args.port}: give a port number >= 1024`);
if (!existsSync(`public/models/${args.model}/manifest.json`)) fail(`public/models/${args.model}/ has no manifest.json`);
if (!existsSync('dist-lib/localrec-widget.js')) fail('dist-lib/ is missing: run `npm run build:lib` first (npm run bench:widget does)');
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

const GOALS = { loaderGzipKB: 40, firstFeedMs: 1000, firstModelFeedColdMs: 1500 };

function size(file: string): { bytes: number; gzipBytes: number } {
  const data = readFileSync(`dist-lib/${file}`);
  return { bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
}

/** Timestamps (ms since navigation start) each widget reaches, recorded in the page. */
interface Marks { firstFeed: number[]; modelReady: number[]; modelRanked: number[] }

/**
 * Records, per element, when it first shows a feed (the popular list, ranked on the page), when
 * it first shows a feed from the loaded model (`data-state=ready`; for a visitor without history
 * that is the engine's cold-start list), and when a feed ranked from the history appears.
 */
async function installMarks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const marks = { firstFeed: [] as number[], modelReady: [] as number[], modelRanked: [] as number[] };
    (window as Window & { __marks?: typeof marks }).__marks = marks;
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        if (el.localName !== 'localrec-feed') continue;
        const i = [...document.querySelectorAll('localrec-feed')].indexOf(el);
        if (el.dataset.revision && marks.firstFeed[i] === undefined) marks.firstFeed[i] = performance.now();
        if (el.dataset.state === 'ready' && marks.modelReady[i] === undefined) marks.modelReady[i] = performance.now();
        if (el.dataset.source === 'model' && marks.modelRanked[i] === undefined) marks.modelRanked[i] = performance.now();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-revision', 'data-source', 'data-state'] });
  });
}

async function waitMarks(page: Page, widgets: number): Promise<Marks> {
  await page.waitForFunction((n) => {
    const m = (window as Window & { __marks?: Marks }).__marks;
    return !!m && m.modelReady.filter((x) => x !== undefined).length === n;
  }, widgets, { timeout: 180_000, polling: 20 });
  return page.evaluate(() => (window as Window & { __marks?: Marks }).__marks as Marks);
}

/** Ms from a click on "Like" in the first widget to every widget showing the re-ranked feed. */
async function likeLatency(page: Page, widgets: number): Promise<number> {
  return page.evaluate(async (n) => {
    const els = [...document.querySelectorAll('localrec-feed')] as HTMLElement[];
    const revs = els.map((e) => Number(e.dataset.revision));
    const button = els[0].shadowRoot?.querySelector('[part~="like"]') as HTMLButtonElement;
    const t0 = performance.now();
    button.click();
    // No named inner functions: the bundler's name helper does not exist in the page.
    while (!els.slice(0, n).every((e, i) => Number(e.dataset.revision) > revs[i])) await new Promise((r) => requestAnimationFrame(r));
    return performance.now() - t0;
  }, widgets);
}

interface Sample { firstFeedMs: number; modelReadyMs: number; modelRankedMs: number | null; likeMs: number }

async function measure(browser: Browser, url: string, widgets: number): Promise<{ cold: Sample; warm: Sample; backend: string }> {
  const context = await browser.newContext();
  await installMarks(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  const once = async (): Promise<Sample> => {
    await page.goto(url);
    const m = await waitMarks(page, widgets);
    // Ranked from the history at load: only when there is one (the warm run, after the cold run's like).
    const ranked = m.modelRanked.filter((x) => x !== undefined);
    const modelRankedMs = ranked.length === widgets ? Math.max(...ranked) : null;
    const likeMs = await likeLatency(page, widgets);
    return { firstFeedMs: Math.max(...m.firstFeed), modelReadyMs: Math.max(...m.modelReady), modelRankedMs, likeMs };
  };
  const cold = await once();
  const warm = await once();
  const backend = await page.locator('localrec-feed').first().evaluate((e: HTMLElement) => `${e.dataset.backend}${e.dataset.threads === 'true' ? ' (threads)' : ''}`);
  await context.close();
  return { cold, warm, backend };
}

async function main(): Promise<void> {
  const files = {
    loader: size('localrec-widget.js'),
    pageApi: size('localrec.js'),
    worker: size('localrec-worker.js'),
    wasm: size('tfjs-backend-wasm-simd.wasm'),
  };
  const origins = await startEmbedOrigins(port, port + 1);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  const model = `${origins.widget.origin}/models/${args.model}/`;
  const pages = {
    one: origins.page('bench-one.html', hostPage(origins.widget.origin, [{ model, limit: '12' }])),
    two: origins.page('bench-two.html', hostPage(origins.widget.origin, [{ model, limit: '12' }, { model, limit: '6', discover: '0.8' }])),
  };
  const samples: Record<'one' | 'two', { cold: Sample[]; warm: Sample[]; backend: string }> = { one: { cold: [], warm: [], backend: '' }, two: { cold: [], warm: [], backend: '' } };
  try {
    for (let r = 0; r < runs; r++) {
      for (const k of ['one', 'two'] as const) {
        const res = await measure(browser, pages[k], k === 'one' ? 1 : 2);
        samples[k].cold.push(res.cold);
        samples[k].warm.push(res.warm);
        samples[k].backend = res.backend;
        log(`run ${r + 1}/${runs} ${k}: cold ${JSON.stringify(res.cold)} warm ${JSON.stringify(res.warm)} on ${res.backend}`);
      }
    }
  } finally {
    await browser.close();
    await origins.close();
  }
  const med = (xs: Sample[], key: keyof Sample): number | null => {
    const v = xs.map((x) => x[key]).filter((x): x is number => x !== null);
    return v.length === xs.length ? round(median(v), 0) : null;
  };
  const summarize = (xs: Sample[]) => ({ firstFeedMs: med(xs, 'firstFeedMs'), modelReadyMs: med(xs, 'modelReadyMs'), modelRankedMs: med(xs, 'modelRankedMs'), likeMs: med(xs, 'likeMs') });
  const summary = (k: 'one' | 'two') => ({ backend: samples[k].backend, cold: summarize(samples[k].cold), warm: summarize(samples[k].warm), samples: samples[k] });
  const timing = { one: summary('one'), two: summary('two') };
  const result = { date: new Date().toISOString(), model: args.model, runs, goals: GOALS, sizes: files, timing, machine: machineInfo() };
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const ms = (x: number | null) => (x === null ? '-' : `${x} ms`);
  const t = timing;
  const md = [
    `# bench:widget (${result.date.slice(0, 10)})`,
    '',
    `Model \`${args.model}\`; host page on http://localhost (no COOP/COEP), widget and model on http://127.0.0.1 (another site); Chromium headless; median of ${runs} runs, each a fresh profile (cold) then a reload (warm). Times are ms from navigation start. Machine: ${result.machine.cpuCount} CPUs, load ${result.machine.loadAverage1m.toFixed(1)}${result.machine.concurrentJobs.length ? `, ${result.machine.concurrentJobs.length} training job(s) running` : ''}.`,
    '',
    table(['File', 'Bytes', 'gzip', 'Goal'], [
      ['localrec-widget.js (page-side loader: element + page API)', kb(files.loader.bytes), kb(files.loader.gzipBytes), `<= ${GOALS.loaderGzipKB} KB gzip`],
      ['localrec.js (page API alone, for comparison)', kb(files.pageApi.bytes), kb(files.pageApi.gzipBytes), ''],
      ['localrec-worker.js (engine + TensorFlow.js, unminified)', kb(files.worker.bytes), kb(files.worker.gzipBytes), ''],
      ['tfjs-backend-wasm-simd.wasm', kb(files.wasm.bytes), kb(files.wasm.gzipBytes), ''],
    ]),
    '',
    table(['Page', 'Run', 'First feed (popular)', 'First feed from the loaded model', 'First feed ranked from the history', 'Like -> re-ranked feed'], (['one', 'two'] as const).flatMap((k) => (['cold', 'warm'] as const).map((run) => [
      k === 'one' ? `one widget (${t[k].backend})` : `two widgets (${t[k].backend})`, run, ms(t[k][run].firstFeedMs), ms(t[k][run].modelReadyMs), ms(t[k][run].modelRankedMs), ms(t[k][run].likeMs),
    ]))),
    '',
    `The first three columns are ms from navigation start; the last is ms from the click on "Like" to the re-ranked feed on screen (in every widget of the page). A cold run is a fresh browser profile, so the visitor has no history: the loaded model's first feed is its cold-start list, and a feed ranked from the history first appears after the like ("-"). The warm run reloads after that like: model files from the Cache API, scripts revalidated (304), the history read from IndexedDB. Goals (localhost): first feed < ${GOALS.firstFeedMs} ms, first model feed < ${GOALS.firstModelFeedColdMs} ms cold. For two widgets a time is when both reached it.`,
  ].join('\n');
  const out = writeResults('bench/results', 'widget', result, md);
  log(md);
  log(`wrote ${out.json} and ${out.md}`);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.stack ?? err.message : String(err)));
