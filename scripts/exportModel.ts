/**
 * Exports a trained checkpoint as a shippable model folder and measures what quantization costs.
 *
 *   npm run export:model -- --checkpoint runs/ml-1m-sasrec/best --data ../shared/datasets/ml-1m \
 *     --out public/models/ml-1m-sasrec [--precision float16] [--run runs/ml-1m-sasrec]
 *
 * Writes the complete servable folder with the same exporter as `npm run pretrain`
 * (scripts/lib/exportFolder.ts); training.json is copied from --run (with the averaged epochs when
 * --checkpoint was written by `npm run average-weights`, and the people and items the run held out:
 * the test figures then cover the people it trained on, as `npm run pretrain`'s own export does, and
 * `eval:ondevice` can check that its held-out people were held out). manifest.json is written last.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from './lib/cli';
import type { WeightPrecision } from '../src/engine/model/modelFormat';
import { loadDataset } from './lib/loadDataset';
import { exportModelFolder } from './lib/exportFolder';
import { applyHoldout, type HoldoutRecord } from './lib/holdout';
import { earlierPhase } from './lib/initFrom';
import { loadModelFiles } from './lib/modelFiles';
import { leaveOneOut } from './lib/split';

const USAGE = 'usage: npm run export:model -- --checkpoint <dir> --data <dataset> --out <model dir> [--precision float16|uint8|float32] [--run <run dir>]';
const { values: args } = parseCli('export:model', USAGE, {
  options: {
    checkpoint: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    precision: { type: 'string', default: 'float16' },
    run: { type: 'string' },
  },
});
if (!args.checkpoint || !args.data || !args.out) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const precision = args.precision as WeightPrecision;
if (!['float32', 'float16', 'uint8'].includes(precision)) {
  process.stderr.write(`--precision must be float32, float16 or uint8 (got ${precision})\n`);
  process.exit(2);
}

await tf.setBackend('wasm');
const { model, featureNames } = loadModelFiles(args.checkpoint);
const loaded = loadDataset(args.data);
const { catalog } = loaded;
if (loaded.dataset.numItems !== model.config.numItems) {
  process.stderr.write(`the checkpoint has ${model.config.numItems} items but the data has ${loaded.dataset.numItems}: wrong --data?\n`);
  process.exit(2);
}
const runFile = args.run ? join(args.run, 'run.json') : null;
const run = runFile && existsSync(runFile) ? JSON.parse(readFileSync(runFile, 'utf8')) as Record<string, unknown> & HoldoutRecord : null;
// The people and items the run held out stay out of the test figures, as in the run's own export.
const { dataset, holdout, holdoutItems } = applyHoldout(loaded.dataset, {
  holdoutUsers: run?.holdout?.share, holdoutSeed: run?.holdout?.seed,
  holdoutItems: run?.holdoutItems?.share, holdoutItemsSeed: run?.holdoutItems?.seed,
}, (l) => process.stderr.write(`${l} (as the run did)\n`));
const split = leaveOneOut(dataset);

let training: Record<string, unknown> | undefined;
if (args.run && run && existsSync(join(args.run, 'checkpoint', 'state.json'))) {
  const state = JSON.parse(readFileSync(join(args.run, 'checkpoint', 'state.json'), 'utf8'));
  // A checkpoint made by `npm run average-weights` names the epochs whose snapshots it averages.
  const averagedPath = join(args.checkpoint, 'averaged.json');
  const averagedEpochs: number[] | null = existsSync(averagedPath) ? JSON.parse(readFileSync(averagedPath, 'utf8')).epochs ?? null : null;
  training = {
    data: run.data, holdout, holdoutItems, train: run.train, config: run.config, epochs: state.history.length, bestEpoch: state.bestEpoch + 1,
    bestValidNdcg10: state.bestNdcg, trainSeconds: Math.round(state.trainSeconds), finished: state.done,
    ...(averagedEpochs ? { averagedEpochs } : {}), history: state.history,
    ...(run.initFrom ? { continuedFrom: earlierPhase(run.initFrom as Parameters<typeof earlierPhase>[0]) } : {}),
  };
}
await exportModelFolder({
  model, featureNames, dataset, catalog, split, out: args.out, precision, training,
  dataName: args.data.split('/').filter(Boolean).pop() ?? args.data, log: (l) => process.stderr.write(`${l}\n`),
});
model.dispose();
process.stderr.write(`exported ${args.out} (${precision})\n`);
