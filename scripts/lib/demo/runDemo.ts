import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LocalRecError } from '../../../src/engine/errors.ts';
import type { EvalReport } from '../evalReport.ts';
import { loadDataset } from '../loadDataset.ts';
import { writeManifest } from '../manifest.ts';
import { accuracyTable, demoModelCard } from './demoModelCard.ts';
import { hostFiles } from './hostFiles.ts';

const REPO = resolve(import.meta.dirname, '../../..');
/** Marks a folder as a site written by `npm run demo` (so a rerun may replace it). */
export const SITE_MARKER = 'localrec-site.json';
const PRECISION = 'float16';

/** Options of `npm run demo`. */
export interface DemoOptions {
  /** Interactions: a `user,item,timestamp` CSV (or any dataset `npm run pretrain` reads). */
  data: string;
  /** Catalog CSV or JSON (id, title, tags, image, url); only with a CSV in `data`. */
  catalog?: string;
  /** Site folder to write (must be empty, missing, or an earlier demo site). */
  out: string;
  /** Training time bound in minutes (export, evaluation and the site build come on top). */
  maxMinutes: number;
  /** Model folder name (default: from the data file name). */
  name?: string;
  /** Working folder for the run's checkpoints (default runs/demo-<name>). */
  work?: string;
  /** URL path the site is served under (default "/"; e.g. "/my-repo/" for a GitHub project page). */
  base?: string;
  log?: (line: string) => void;
}

/** What `npm run demo` made. */
export interface DemoResult {
  name: string;
  siteDir: string;
  modelDir: string;
  evaluation: EvalReport;
  timings: [string, number][];
  missingImages: string[];
}

/** A model folder name the app accepts in `?model=` (letters, digits, ".", "_", "-"). */
export function modelNameFrom(path: string): string {
  const stem = basename(path, extname(path)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return stem || 'my-model';
}

function checkOutDir(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new LocalRecError('INVALID_INPUT', `--out "${out}" is a file. Give a folder for the site.`);
  if (readdirSync(out).length > 0 && !existsSync(join(out, SITE_MARKER))) {
    throw new LocalRecError('INVALID_INPUT', `--out "${out}" is not empty and was not written by npm run demo; nothing was changed. Choose an empty or new folder.`);
  }
}

/** Runs one of the repo's CLIs (tsx) as a child process, streaming its output to `log`. */
function runScript(script: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', script), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split(/\r|\n/)) if (line.trim()) log(`  ${line}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new LocalRecError('INVALID_INPUT', `scripts/${script} failed (exit ${code}). Its last output:\n${tail}`));
    });
  });
}

/** Copies the catalog's images (paths relative to the catalog file) into the site; returns the missing ones. */
function copyImages(catalogFile: string, images: string[], siteDir: string): string[] {
  const missing: string[] = [];
  for (const image of new Set(images)) {
    const from = join(dirname(catalogFile), image);
    if (!existsSync(from)) {
      missing.push(image);
      continue;
    }
    mkdirSync(dirname(join(siteDir, image)), { recursive: true });
    copyFileSync(from, join(siteDir, image));
  }
  return missing;
}

async function buildSite(siteDir: string, modelName: string, base: string): Promise<void> {
  const { build } = await import('vite');
  const previous = process.env.VITE_LOCALREC_DEFAULT_MODEL;
  process.env.VITE_LOCALREC_DEFAULT_MODEL = modelName;
  try {
    await build({ root: REPO, base, configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn', build: { outDir: siteDir, emptyOutDir: true } });
  } finally {
    if (previous === undefined) delete process.env.VITE_LOCALREC_DEFAULT_MODEL;
    else process.env.VITE_LOCALREC_DEFAULT_MODEL = previous;
  }
}

/**
 * Data to static site: checks the data and catalog, pretrains within `maxMinutes`, exports the
 * model, evaluates it beside the most-popular and item-to-item baselines on the same split, writes
 * the model card, and builds the app into `out` with that model as the default, plus header files
 * for common hosts.
 *
 * @example
 * await runDemo({ data: 'mine/interactions.csv', catalog: 'mine/items.csv', out: 'site', maxMinutes: 30 });
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const timings: [string, number][] = [];
  const step = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
    log(`== ${label}`);
    const start = Date.now();
    const out = await work();
    timings.push([label, (Date.now() - start) / 1000]);
    return out;
  };
  if (!(o.maxMinutes > 0)) throw new LocalRecError('INVALID_INPUT', `--max-minutes must be a positive number of minutes, got ${o.maxMinutes}.`);
  const siteDir = resolve(o.out);
  checkOutDir(siteDir);
  const name = o.name ?? modelNameFrom(o.data);
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new LocalRecError('INVALID_INPUT', `--name "${name}" may only hold letters, digits, ".", "_" and "-".`);
  const work = resolve(o.work ?? join(REPO, 'runs', `demo-${name}`));
  const base = o.base ?? '/';
  if (!/^\/([\w.-]+\/)*$/.test(base)) throw new LocalRecError('INVALID_INPUT', `--base "${base}" must be a URL path that starts and ends with "/", e.g. /my-repo/.`);

  // 1. Read everything first: a bad row, catalog or image path stops here, before any training.
  const loaded = await step('read data', () => loadDataset(o.data, { catalog: o.catalog, onWarning: (m) => log(`warning: ${m}`) }));
  const { dataset, catalog } = loaded;
  const interactions = dataset.sequences.reduce((n, s) => n + s.length, 0);
  const stats = {
    users: dataset.sequences.length, items: dataset.numItems, interactions, catalogItems: catalog?.length ?? 0,
    withImage: catalog?.filter((c) => c.image).length ?? 0, withUrl: catalog?.filter((c) => c.url).length ?? 0, withTags: catalog?.filter((c) => c.genres.length > 0).length ?? 0,
  };
  log(`${interactions} interactions, ${stats.users} people, ${stats.items} items; catalog ${stats.catalogItems} items (${stats.withTags} with tags, ${stats.withImage} with an image, ${stats.withUrl} with a link)`);

  // The CLIs read a CSV and its catalog together from one folder.
  let dataArg = o.data;
  if (o.data.toLowerCase().endsWith('.csv')) {
    const dataDir = join(work, 'data');
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(o.data, join(dataDir, 'interactions.csv'));
    if (o.catalog) copyFileSync(o.catalog, join(dataDir, o.catalog.toLowerCase().endsWith('.json') ? 'catalog.json' : 'catalog.csv'));
    dataArg = dataDir;
  }

  // 2. Pretrain (bounded), 3. export the best epoch as a model folder, 4. evaluate with baselines.
  const ckpt = join(work, 'checkpoint');
  rmSync(ckpt, { recursive: true, force: true });
  await step('pretrain', () => runScript('pretrain.ts', ['--data', dataArg, '--out', join(work, 'trained'), '--checkpoint-dir', ckpt, '--max-minutes', String(o.maxMinutes)], log));
  if (!existsSync(join(ckpt, 'best'))) {
    throw new LocalRecError('INVALID_INPUT', `Training stopped before its first epoch ended, so there is no model to export. Raise --max-minutes (was ${o.maxMinutes}).`);
  }
  const modelStage = join(work, 'model', name);
  rmSync(modelStage, { recursive: true, force: true });
  await step('export', () => runScript('exportModel.ts', ['--checkpoint', join(ckpt, 'best'), '--data', dataArg, '--out', modelStage, '--precision', PRECISION, '--run', ckpt], log));
  const evalJson = join(work, 'eval.json');
  await step('evaluate', () => runScript('eval.ts', ['--model', modelStage, '--data', dataArg, '--baselines', '--json', evalJson], log));
  const evaluation = JSON.parse(readFileSync(evalJson, 'utf8')) as EvalReport;
  log(`\nLeave-one-out, full ranking over ${evaluation.items} items, ${evaluation.users} people:\n${accuracyTable(evaluation, PRECISION)}\n`);

  // 5. Build the site, then put the model, images and host files in it.
  await step('build site', () => buildSite(siteDir, name, base));
  for (const shipped of readdirSync(join(siteDir, 'models'))) rmSync(join(siteDir, 'models', shipped), { recursive: true, force: true });
  const modelDir = join(siteDir, 'models', name);
  cpSync(modelStage, modelDir, { recursive: true });
  const read = (file: string) => (existsSync(join(modelDir, file)) ? (JSON.parse(readFileSync(join(modelDir, file), 'utf8')) as Record<string, unknown>) : null);
  writeFileSync(join(modelDir, 'MODEL_CARD.md'), demoModelCard({
    name, data: o.data, catalog: o.catalog ?? null, stats, evaluation, config: read('config.json') ?? {}, training: read('training.json'),
    maxMinutes: o.maxMinutes, timings, precision: PRECISION,
  }));
  writeManifest(modelDir, name);
  const missingImages = o.catalog && catalog ? copyImages(o.catalog, catalog.flatMap((c) => (c.image ? [c.image] : [])), siteDir) : [];
  if (missingImages.length > 0) {
    log(`warning: ${missingImages.length} image files were not found beside the catalog (e.g. ${missingImages.slice(0, 3).join(', ')}); those items show a generated cover.`);
  }
  for (const file of hostFiles(name)) writeFileSync(join(siteDir, file.path), file.text);
  writeFileSync(join(siteDir, SITE_MARKER), JSON.stringify({ model: name, data: o.data, builtAt: new Date().toISOString() }, null, 1));
  log(`site written to ${siteDir} (default model: models/${name}/). Try it: npx vite preview --outDir ${siteDir}; deploy: see ${join(siteDir, 'DEPLOY.md')}`);
  return { name, siteDir, modelDir, evaluation, timings, missingImages };
}
