import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { CatalogEntry } from '../../../src/engine/data/catalogFile.ts';
import { LocalRecError } from '../../../src/engine/errors.ts';
import { exportModelFolder, type FolderMetrics } from '../exportFolder.ts';
import { loadDataset, readCatalogFile } from '../loadDataset.ts';
import { loadModelFiles } from '../modelFiles.ts';
import type { PresetName } from '../presets.ts';
import { runPretraining } from '../runPretraining.ts';
import { leaveOneOut } from '../split.ts';
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
  /** Pretraining preset (default `auto`: settings chosen from the data, schedule fitted to maxMinutes). */
  preset?: PresetName;
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
  /** The model's metrics.json: test NDCG@10 / HR@10 and the baselines on the same split. */
  metrics: FolderMetrics;
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

/** NDCG@10 / HR@10 of the model and the baselines (from a model folder's metrics.json). */
export function accuracyTable(m: FolderMetrics): string {
  const f4 = (x: number | undefined) => (typeof x === 'number' ? x.toFixed(4) : 'n/a');
  const rows: [string, Record<string, number>][] = [
    [`SASRec, this model (${m.shippedPrecision})`, m.metrics],
    ['most popular (baseline)', m.baselines['most-popular']],
    ['item-to-item transitions (baseline)', m.baselines['item-to-item']],
  ];
  return ['| model | NDCG@10 | HR@10 |', '|---|---:|---:|', ...rows.map(([label, x]) => `| ${label} | ${f4(x['NDCG@10'])} | ${f4(x['HR@10'])} |`)].join('\n');
}

/** A run stopped by the hard time bound: export its best epoch so far through the same exporter. */
async function exportBest(o: DemoOptions, ckpt: string, out: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(join(ckpt, 'best', 'model.json'))) {
    throw new LocalRecError('INVALID_INPUT', `Training stopped before its first validation, so there is no model to export. Raise --max-minutes (was ${o.maxMinutes}).`);
  }
  const { dataset, catalog } = loadDataset(o.data, { catalog: o.catalog, onWarning: (m) => log(`warning: ${m}`) });
  const best = loadModelFiles(join(ckpt, 'best'));
  try {
    await exportModelFolder({ model: best.model, featureNames: best.featureNames, dataset, catalog, split: leaveOneOut(dataset), out, precision: PRECISION, dataName: basename(o.data), log });
  } finally {
    best.model.dispose();
  }
}

/**
 * Data to static site: checks the catalog, pretrains within `maxMinutes` (auto preset) into a
 * complete model folder (evaluated beside the most-popular and item-to-item baselines on the same
 * split, with its model card), and builds the app into `out` with that model as the default, plus
 * header files for common hosts.
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

  // 1. The catalog first: a refused image path or a bad row stops here, before anything is trained.
  const catalogEntries = await step('read catalog', () => (o.catalog ? readCatalogFile(o.catalog) : null));
  if (catalogEntries) {
    const count = (f: (e: CatalogEntry) => unknown) => catalogEntries.filter(f).length;
    log(`catalog: ${catalogEntries.length} items, ${count((e) => e.genres.length > 0)} with tags, ${count((e) => e.image)} with an image, ${count((e) => e.url)} with a link`);
  }

  // 2. Pretrain (settings chosen from the data, bounded by maxMinutes) into a complete model folder:
  //    weights, catalog, metrics with the most-popular and item-to-item baselines, model card, manifest.
  const ckpt = join(work, 'checkpoint');
  rmSync(ckpt, { recursive: true, force: true });
  const modelStage = join(work, 'model', name);
  rmSync(modelStage, { recursive: true, force: true });
  const run = await step('pretrain', () =>
    runPretraining({ data: o.data, catalog: o.catalog, out: modelStage, checkpointDir: ckpt, maxMinutes: o.maxMinutes, preset: o.preset ?? 'auto' }, log));
  if (!run.finished) await step('export best epoch', () => exportBest(o, ckpt, modelStage, log));
  const metrics = JSON.parse(readFileSync(join(modelStage, 'metrics.json'), 'utf8')) as FolderMetrics;
  log(`\nLeave-one-out, full ranking over all items (seen items excluded), ${metrics.users} people, last item of each:\n${accuracyTable(metrics)}\n`);

  // 5. Build the site, then put the model, images and host files in it.
  await step('build site', () => buildSite(siteDir, name, base));
  for (const shipped of readdirSync(join(siteDir, 'models'))) rmSync(join(siteDir, 'models', shipped), { recursive: true, force: true });
  const modelDir = join(siteDir, 'models', name);
  cpSync(modelStage, modelDir, { recursive: true });
  const missingImages = o.catalog && catalogEntries ? copyImages(o.catalog, catalogEntries.flatMap((c) => (c.image ? [c.image] : [])), siteDir) : [];
  if (missingImages.length > 0) {
    log(`warning: ${missingImages.length} image files were not found beside the catalog (e.g. ${missingImages.slice(0, 3).join(', ')}); those items show a generated cover.`);
  }
  for (const file of hostFiles(name)) writeFileSync(join(siteDir, file.path), file.text);
  writeFileSync(join(siteDir, SITE_MARKER), JSON.stringify({ model: name, data: o.data, builtAt: new Date().toISOString() }, null, 1));
  log(`site written to ${siteDir} (default model: models/${name}/). Try it: npx vite preview --outDir ${siteDir}; deploy: see ${join(siteDir, 'DEPLOY.md')}`);
  log(`steps: ${timings.map(([label, sec]) => `${label} ${sec.toFixed(1)} s`).join(', ')}`);
  return { name, siteDir, modelDir, metrics, timings, missingImages };
}
