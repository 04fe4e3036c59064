/**
 * Averages the weights of several snapshots of one pretraining run (checkpoint averaging).
 *
 *   npm run average-weights -- --out <model dir> <model dir> <model dir> ...
 *
 * Snapshots come from `npm run pretrain -- --snapshots` (runs/<name>/epochs/<epoch>). Choose which
 * epochs to average on the validation item (`npm run eval -- --target valid`), never on test.
 * Writes the averaged model (float32) and averaged.json (the source folders and their epochs).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { averageInto } from './lib/averageWeights';
import { failWith, parseCli } from './lib/cli';
import { loadModelFiles, saveModelFiles } from './lib/modelFiles';

const fail = failWith('average-weights');
const USAGE = 'usage: npm run average-weights -- --out <model dir> <model dir> <model dir> [...] (two or more snapshots of one run)';
const { values: args, positionals } = parseCli('average-weights', USAGE, { options: { out: { type: 'string' } }, allowPositionals: true });
const outDir = args.out ?? '';
if (!outDir || positionals.length < 2) fail(USAGE);
for (const dir of positionals) {
  if (!existsSync(join(dir, 'model.json'))) fail(`${dir} has no model.json; pass model folders such as runs/<name>/epochs/042`);
}
await tf.setBackend('wasm');
await tf.ready();
const loaded = positionals.map((dir) => loadModelFiles(dir));
try {
  await averageInto(loaded[0].model, loaded.map((l) => l.model));
} catch (e) {
  fail(`${(e as Error).message}`);
}
await saveModelFiles(outDir, loaded[0].model, loaded[0].featureNames, 'float32');
// What was averaged, for export:model and the model card (snapshot folders are named by epoch).
const epochs = positionals.map((dir) => Number(basename(dir)));
writeFileSync(join(outDir, 'averaged.json'), JSON.stringify({
  sources: positionals,
  epochs: epochs.every((e) => Number.isInteger(e) && e > 0) ? epochs : null,
}, null, 1));
for (const l of loaded) l.model.dispose();
process.stderr.write(`averaged ${positionals.length} snapshots into ${outDir}\n`);
