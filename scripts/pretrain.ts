/**
 * Pretrains a SASRec model in Node (tfjs WASM backend), resumable, and writes the complete
 * servable folder to --out (scripts/lib/exportFolder.ts).
 *
 *   npm run pretrain -- --data <csv, file or folder> --out <model dir> [--preset auto|fast|quality] [--max-minutes N]
 *
 * Without --config the preset (auto by default) reads the data and prints the settings it chose
 * and why (scripts/lib/presets.ts); --config cfg.json gives them instead.
 *
 * Checkpoints go to --checkpoint-dir (default runs/<model name>) every few minutes and at each
 * epoch end; --resume continues from there with the same batches, seeds and optimizer state.
 * --holdout-items <share> removes a seeded share of items from training (item cold start).
 * Stop cleanly with Ctrl-C or `touch <checkpoint-dir>/STOP`; --workers 2 uses both cores.
 * --snapshots also keeps every epoch's weights in <checkpoint-dir>/epochs/<epoch> (for
 * `npm run average-weights`); --max-minutes N stops cleanly (resumable) after N minutes.
 * --seed N replaces the config's train seed (batch order, dropout, validation sample), so one
 * config serves several seeds; --resume refuses train settings that differ from the checkpoint's.
 * --init-from <checkpoint or model dir> starts a fresh run from those weights (and that folder's
 * Adam state when it has one), e.g. a learning-rate decay phase ("schedule": "linear") after a
 * constant-rate run; the run's model config must match the folder's.
 */
import { LocalRecError } from '../src/engine/errors';
import { failWith, parseCli } from './lib/cli';
import type { DataFormat } from './lib/loadDataset';
import type { PresetName } from './lib/presets';
import { checkPretrainOptions, runPretraining, type PretrainOptions } from './lib/runPretraining';

const USAGE = 'usage: npm run pretrain -- --data <file or dir> --out <model dir> [--preset auto|fast|quality] [--max-minutes N] [--config <json>] ' +
  '[--format auto|user-lines|sasrec-lines|interactions-csv] [--catalog <file>] [--resume] [--checkpoint-dir <dir>] [--init-from <checkpoint dir>] [--seed N] ' +
  '[--snapshots] [--precision float16|uint8|float32] [--workers N] [--holdout-users N] [--holdout-seed N] [--holdout-items N] [--holdout-items-seed N]';
const { values: args } = parseCli('pretrain', USAGE, {
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    preset: { type: 'string' },
    format: { type: 'string', default: 'auto' },
    catalog: { type: 'string' },
    resume: { type: 'boolean', default: false },
    'init-from': { type: 'string' },
    'checkpoint-dir': { type: 'string' },
    'max-minutes': { type: 'string' },
    seed: { type: 'string' },
    snapshots: { type: 'boolean', default: false },
    precision: { type: 'string', default: 'float16' },
    workers: { type: 'string', default: '1' },
    'holdout-users': { type: 'string' },
    'holdout-seed': { type: 'string', default: '7' },
    'holdout-items': { type: 'string' },
    'holdout-items-seed': { type: 'string', default: '11' },
  },
});
const fail: (message: string) => never = failWith('pretrain');
if (!args.data || !args.out) fail(USAGE);
const num = (raw: string | undefined) => (raw === undefined ? undefined : raw.trim() === '' ? NaN : Number(raw));
if (args.seed !== undefined && !/^\d+$/.test(args.seed)) fail(`--seed must be a whole number >= 0, got "${args.seed}"`);
for (const key of ['max-minutes', 'holdout-users', 'holdout-items'] as const) {
  const raw = args[key];
  if (raw !== undefined && !Number.isFinite(num(raw))) fail(`--${key} must be a number${key === 'max-minutes' ? ' of minutes >= 0' : ''}, got "${raw}"`);
}
const FORMATS = ['auto', 'user-lines', 'sasrec-lines', 'interactions-csv', 'ml-100k', 'ml-1m-sas'];
if (!FORMATS.includes(args.format ?? 'auto')) fail(`--format must be one of ${FORMATS.join(', ')}, got "${args.format}"`);
const options: PretrainOptions = {
  data: args.data, out: args.out, config: args.config, preset: args.preset as PresetName | undefined,
  maxMinutes: num(args['max-minutes']), resume: args.resume, checkpointDir: args['checkpoint-dir'], initFrom: args['init-from'],
  seed: num(args.seed), snapshots: args.snapshots, precision: args.precision, workers: Math.max(1, Number(args.workers) || 1),
  format: args.format as DataFormat | 'auto', catalog: args.catalog,
  holdoutUsers: num(args['holdout-users']), holdoutSeed: num(args['holdout-seed']),
  holdoutItems: num(args['holdout-items']), holdoutItemsSeed: num(args['holdout-items-seed']),
};
try {
  // Bad options (an unknown --precision, a negative --max-minutes) fail here, before any data is read.
  checkPretrainOptions(options);
  const result = await runPretraining(options);
  void result; // stopped or finished, both are a clean end (the log says which)
  process.exit(0);
} catch (e) {
  if (e instanceof LocalRecError) fail(e.message);
  throw e;
}
