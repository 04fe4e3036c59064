/**
 * Renders MODEL_CARD.md for a model folder from its metrics.json, training.json and an eval
 * JSON written by `npm run eval -- --json` (baselines and beyond-accuracy metrics).
 *
 *   npx tsx scripts/writeModelCard.ts --model public/models/ml-1m-sasrec --eval bench/results/eval-ml-1m.json
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from './lib/cli';
import { writeManifest } from './lib/manifest';
import { renderModelCard } from './lib/modelCard';

const USAGE = 'usage: npm run model-card -- --model <dir> [--eval <eval.json>] [--machine <text>] [--ondevice <a.json,b.json>] [--ondevice-model <which model the reports measured, when not this recipe>]';
const { values: args } = parseCli('model-card', USAGE, { options: { model: { type: 'string' }, eval: { type: 'string' }, machine: { type: 'string' }, ondevice: { type: 'string' }, 'ondevice-model': { type: 'string' } } });
if (!args.model) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
writeFileSync(join(args.model, 'MODEL_CARD.md'), renderModelCard(args.model, { eval: args.eval, machine: args.machine, ondevice: args.ondevice, ondeviceModel: args['ondevice-model'] }));
writeManifest(args.model);
process.stderr.write(`wrote ${join(args.model, 'MODEL_CARD.md')} and manifest.json\n`);
