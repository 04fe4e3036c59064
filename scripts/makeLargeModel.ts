/**
 * Generates a synthetic model folder with a large catalog, to measure what the browser does with
 * 100,000+ items (`npm run bench:large`). The shipped architecture (config of
 * public/models/ml-1m-sasrec: width 128, 2 "sasrec" blocks, positions from the start, a content
 * tower) with random weights, a catalog of invented titles with genres and years, content
 * features from them (genre and decade multi-hot, row-normalised), replay exemplars, written by
 * the one exporter (`saveModelFiles`, `writeReplayFile`, `writeManifest`) once per precision:
 *
 *   npm run make:large-model -- --items 100000 --out runs/large/100k [--precision float16,uint8]
 *     -> runs/large/100k/float16/, runs/large/100k/uint8/  (each a complete model folder)
 *
 * The weights are random: the folder measures sizes and speeds, not accuracy. Never commit it
 * (runs/ is ignored).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem } from '../src/engine/data/catalog';
import { resolveConfig } from '../src/engine/model/config';
import type { WeightPrecision } from '../src/engine/model/modelFormat';
import { SasRec } from '../src/engine/model/sasrec';
import { Rng } from '../src/engine/train/rng';
import { failWith, parseCli } from './lib/cli';
import { writeManifest } from './lib/manifest';
import { saveModelFiles } from './lib/modelFiles';
import { writeReplayFile } from './lib/replayFile';

const USAGE = 'usage: npm run make:large-model -- --items N --out <dir under runs/> [--precision float16,uint8] [--dim 128] [--seed 1]';
const { values: args } = parseCli('make:large-model', USAGE, {
  options: {
    items: { type: 'string', default: '100000' },
    out: { type: 'string' },
    precision: { type: 'string', default: 'float16,uint8' },
    dim: { type: 'string', default: '128' },
    seed: { type: 'string', default: '1' },
  },
});

const GENRES = ['Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];
const DECADES = [1920, 1930, 1940, 1950, 1960, 1970, 1980, 1990, 2000, 2010, 2020];
const ADJECTIVES = ['Silent', 'Crimson', 'Last', 'Hidden', 'Golden', 'Broken', 'Midnight', 'Distant', 'Wild', 'Quiet', 'Electric', 'Lost'];
const NOUNS = ['River', 'Empire', 'Garden', 'Signal', 'Harbor', 'Mirror', 'Orchard', 'Station', 'Winter', 'Voyage', 'Machine', 'Letter'];

const fail = failWith('make:large-model');

const numItems = Number(args.items);
const dim = Number(args.dim);
const seed = Number(args.seed);
const out: string = args.out ?? fail('--out is required');
if (!Number.isInteger(numItems) || numItems < 2) fail(`--items must be an integer >= 2 (got ${String(args.items)})`);
if (!Number.isInteger(dim) || dim < 1) fail(`--dim must be a positive integer (got ${String(args.dim)})`);
const precisions = String(args.precision).split(',').map((p) => p.trim());
for (const p of precisions) if (!['float32', 'float16', 'uint8'].includes(p)) fail(`unknown precision "${p}" (float32, float16, uint8)`);

/** Invented catalog: 1-2 genres and a year per item, Zipf-like popularity (id 1 most popular), 2% new items. */
function makeCatalog(rng: Rng): (CatalogItem & { popularity: number })[] {
  return Array.from({ length: numItems }, (_, k) => {
    const id = k + 1;
    const g = rng.int(0, GENRES.length);
    const genres = rng.next() < 0.4 ? [GENRES[g], GENRES[(g + 1 + rng.int(0, GENRES.length - 1)) % GENRES.length]] : [GENRES[g]];
    return {
      id,
      externalId: `synthetic-${id}`,
      title: `${ADJECTIVES[rng.int(0, ADJECTIVES.length)]} ${NOUNS[rng.int(0, NOUNS.length)]} ${id}`,
      year: 1925 + rng.int(0, 100),
      genres,
      // The newest 2% have no training signal yet: the feed's new-item slots rank them.
      popularity: id > numItems * 0.98 ? 0 : Math.max(1, Math.round(100_000 / Math.pow(id, 0.8))),
    };
  });
}

/** Genre and decade multi-hot per item, each row summing to 1 (row 0, padding, all zero). */
function makeFeatures(items: readonly CatalogItem[]): { names: string[]; data: Float32Array } {
  const names = [...GENRES.map((g) => `genre:${g}`), ...DECADES.map((d) => `decade:${d}`)];
  const cols = names.length;
  const data = new Float32Array((numItems + 1) * cols);
  for (const it of items) {
    const hot = [...it.genres.map((g) => GENRES.indexOf(g)), GENRES.length + DECADES.indexOf(Math.floor((it.year ?? 1990) / 10) * 10)].filter((c) => c >= 0);
    for (const c of hot) data[it.id * cols + c] = 1 / hot.length;
  }
  return { names, data };
}

await tf.setBackend('wasm');
const rng = new Rng(seed);
const t0 = Date.now();
const catalog = makeCatalog(rng);
const features = makeFeatures(catalog);
const config = resolveConfig({
  maxLen: 200, dim, blocks: 2, heads: 1, ffnDim: dim, dropout: 0.1, numFeatures: features.names.length, idDropout: 0,
  initStd: 0.02, positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier', numItems,
});
const model = SasRec.create(config, seed, tf.tensor2d(features.data, [numItems + 1, features.names.length]));
rmSync(out, { recursive: true, force: true });
for (const precision of precisions as WeightPrecision[]) {
  const dir = join(out, precision);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ items: catalog }));
  await saveModelFiles(dir, model, features.names, precision);
  await writeReplayFile(dir, model);
  writeFileSync(join(dir, 'MODEL_CARD.md'), `# Synthetic ${numItems}-item model (${precision})

Generated by \`npm run make:large-model -- --items ${numItems} --dim ${dim} --seed ${seed}\`
(scripts/makeLargeModel.ts) to measure large catalogs in the browser. Random weights: it
recommends nothing meaningful. Invented titles; genres and decades give ${features.names.length} content features.
`);
  const manifest = writeManifest(dir, `synthetic-${numItems}-${precision}`);
  const bytes = Object.fromEntries(manifest.files.map((f) => [f.path, f.bytes]));
  process.stderr.write(`wrote ${dir}: weights.bin ${bytes['weights.bin']} bytes, catalog.json ${bytes['catalog.json']} bytes\n`);
}
model.dispose();
process.stderr.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
