/**
 * Writes replay.json into a model folder: exemplar sequences sampled from the model itself
 * (no real person's history), mixed into on-device fine-tuning against forgetting. Rewrites
 * manifest.json when the folder has one.
 *
 *   npm run make:replay -- --model public/models/ml-1m-sasrec [--count 32] [--length 30] [--seed 1] [--top-k 50]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../src/engine/loading/manifest';
import { failWith, intOption, parseCli } from './lib/cli';
import { writeManifest } from './lib/manifest';
import { loadModelFiles } from './lib/modelFiles';
import { writeReplayFile } from './lib/replayFile';

const fail: (message: string) => never = failWith('make:replay');
const USAGE = 'usage: npm run make:replay -- --model <model dir> [--count 32] [--length 30] [--seed 1] [--top-k 50]';
const { values: args } = parseCli('make:replay', USAGE, {
  options: {
    model: { type: 'string' },
    count: { type: 'string', default: '32' },
    length: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    'top-k': { type: 'string', default: '50' },
  },
});
if (!args.model) fail(USAGE);
const dir = args.model;
if (!existsSync(join(dir, 'model.json'))) fail(`${dir} has no model.json: pass a model folder (or a checkpoint's best/ folder)`);
const count = intOption(fail, 'count', args.count ?? '32', 1);
const length = intOption(fail, 'length', args.length ?? '30', 2);
const seed = intOption(fail, 'seed', args.seed ?? '1', 0);
const topK = intOption(fail, 'top-k', args['top-k'] ?? '50', 0);

await tf.setBackend('wasm');
await tf.ready();
const { model } = loadModelFiles(dir);
const t0 = Date.now();
await writeReplayFile(dir, model, { count, length, seed, topK });
model.dispose();
if (existsSync(join(dir, MANIFEST_FILE))) writeManifest(dir);
process.stderr.write(`make:replay: wrote ${join(dir, 'replay.json')} (${count} x ${length}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
