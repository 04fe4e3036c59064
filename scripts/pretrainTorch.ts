/**
 * Pretrains the LocalRec model with PyTorch (DistributedDataParallel) and writes the same servable
 * folder as `npm run pretrain` (docs/SCALE.md):
 *
 *   npm run pretrain:torch -- --data <file or dir> --out <model dir> [--config <json>] [--max-minutes N] [--nproc N]
 *
 * Data, settings (--config or the preset), the split and the export are the TypeScript ones; only
 * the training steps run in PyTorch (trainers/torch/train.py, started with
 * `python3 -m torch.distributed.run`: gloo on CPU, NCCL when CUDA is there, one process per GPU).
 * Checkpoints go to --checkpoint-dir (default runs/<model name>-torch); --resume continues there.
 * --init-from <dir> starts a new run (a second phase, e.g. a linear decay to 0) from the weights of
 * a torch run's checkpoint folder (with its Adam state) or of a model folder (fresh Adam state); the
 * model config must match that folder's (see `npm run pretrain`).
 * --max-steps N stops (resumably) after N steps and prints the measured sequences per second.
 * --prepare-only writes <checkpoint dir>/data and stops, to start train.py with torchrun yourself.
 * --holdout-users <share> [--holdout-seed N, default 7] and --holdout-items <share> [--holdout-items-seed N,
 * default 11] hold out the same people and items as `npm run pretrain` (scripts/lib/holdout.ts), recorded
 * in run.json and training.json; --resume and --init-from refuse a phase that holds out others.
 */
import { LocalRecError } from '../src/engine/errors';
import { failWith, intOption, parseCli } from './lib/cli';
import type { DataFormat } from './lib/loadDataset';
import type { PresetName } from './lib/presets';
import { runTorchPretraining, type TorchPretrainOptions } from './lib/runTorchPretraining';

const USAGE = 'usage: npm run pretrain:torch -- --data <file or dir> --out <model dir> [--config <json>] [--preset auto|fast|quality] [--max-minutes N] [--nproc N] ' +
  '[--max-steps N] [--resume] [--checkpoint-dir <dir>] [--init-from <checkpoint or model dir>] [--seed N] [--precision float16|uint8|float32] [--format auto|user-lines|sasrec-lines|interactions-csv] [--catalog <file>] [--prepare-only] ' +
  '[--holdout-users N] [--holdout-seed N] [--holdout-items N] [--holdout-items-seed N]';
const { values: args } = parseCli('pretrain:torch', USAGE, {
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    preset: { type: 'string' },
    'max-minutes': { type: 'string' },
    'max-steps': { type: 'string' },
    nproc: { type: 'string', default: '1' },
    resume: { type: 'boolean', default: false },
    'checkpoint-dir': { type: 'string' },
    'init-from': { type: 'string' },
    seed: { type: 'string' },
    precision: { type: 'string', default: 'float16' },
    format: { type: 'string', default: 'auto' },
    catalog: { type: 'string' },
    'prepare-only': { type: 'boolean', default: false },
    'holdout-users': { type: 'string' },
    'holdout-seed': { type: 'string', default: '7' },
    'holdout-items': { type: 'string' },
    'holdout-items-seed': { type: 'string', default: '11' },
  },
});
const fail: (message: string) => never = failWith('pretrain:torch');
if (!args.data || !args.out) fail(USAGE);
const minutes = args['max-minutes'] === undefined ? undefined : Number(args['max-minutes']);
if (minutes !== undefined && !(Number.isFinite(minutes) && minutes >= 0)) fail(`--max-minutes must be a number of minutes >= 0, got "${args['max-minutes']}"`);
// Read as `npm run pretrain` reads them (scripts/pretrain.ts); the shares are checked by checkPretrainOptions.
const num = (raw: string | undefined) => (raw === undefined ? undefined : raw.trim() === '' ? NaN : Number(raw));
for (const key of ['holdout-users', 'holdout-items'] as const) {
  if (args[key] !== undefined && !Number.isFinite(num(args[key]))) fail(`--${key} must be a number, got "${args[key]}"`);
}
const options: TorchPretrainOptions = {
  data: args.data, out: args.out, config: args.config, preset: args.preset as PresetName | undefined, maxMinutes: minutes,
  maxSteps: args['max-steps'] === undefined ? undefined : intOption(fail, 'max-steps', args['max-steps']),
  nproc: intOption(fail, 'nproc', args.nproc ?? '1'), resume: args.resume, checkpointDir: args['checkpoint-dir'], initFrom: args['init-from'],
  seed: args.seed === undefined ? undefined : intOption(fail, 'seed', args.seed, 0), precision: args.precision,
  format: args.format as DataFormat | 'auto', catalog: args.catalog, prepareOnly: args['prepare-only'],
  holdoutUsers: num(args['holdout-users']), holdoutSeed: intOption(fail, 'holdout-seed', args['holdout-seed'] ?? '7', 0),
  holdoutItems: num(args['holdout-items']), holdoutItemsSeed: intOption(fail, 'holdout-items-seed', args['holdout-items-seed'] ?? '11', 0),
};
try {
  const r = await runTorchPretraining(options);
  if (!options.prepareOnly) process.stderr.write(r.finished ? `done: ${r.outDir}\n` : `stopped; continue with --resume (checkpoint in ${r.runDir})\n`);
  process.exit(0);
} catch (e) {
  if (e instanceof LocalRecError) fail(e.message);
  throw e;
}
