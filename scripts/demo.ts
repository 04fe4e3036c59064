/**
 * From your own interactions to a private demo site, in one command:
 *
 *   npm run demo -- --data <interactions.csv> [--catalog <catalog.csv|json>] --out <site dir> [--max-minutes N] [--name <model>]
 *        [--work <dir>] [--base /path/]
 *
 * Pretrains a model (preset auto by default, bounded by --max-minutes) into a complete folder
 * (evaluated beside the most-popular and item-to-item baselines, with its model card), and builds
 * the static site with that model as the default, plus header files for common hosts. See docs/DEPLOY.md.
 */
import { LocalRecError } from '../src/engine/errors';
import { failWith, parseCli } from './lib/cli';
import { runDemo } from './lib/demo/runDemo';
import { PRESET_NAMES, type PresetName } from './lib/presets';

const USAGE = 'usage: npm run demo -- --data <interactions.csv> [--catalog <catalog.csv|json>] --out <site dir> [--max-minutes N] [--preset auto|fast|quality] [--name <model>] [--work <dir>] [--base /path/]';
const fail: (message: string) => never = failWith('demo');
const { values: args } = parseCli('demo', USAGE, {
  options: {
    data: { type: 'string' },
    catalog: { type: 'string' },
    out: { type: 'string' },
    'max-minutes': { type: 'string', default: '10' },
    name: { type: 'string' },
    work: { type: 'string' },
    base: { type: 'string' },
    preset: { type: 'string', default: 'auto' },
  },
});
if (!args.data || !args.out) fail(`--data and --out are required.\n${USAGE}`);
const maxMinutes = Number(args['max-minutes']);
if (!(maxMinutes > 0)) fail(`--max-minutes must be a positive number of minutes, got "${args['max-minutes']}"`);
const preset = args.preset as PresetName;
if (!PRESET_NAMES.includes(preset)) fail(`--preset must be one of ${PRESET_NAMES.join(', ')}, got "${args.preset}"`);
try {
  await runDemo({ preset, data: args.data, catalog: args.catalog, out: args.out, maxMinutes, name: args.name, work: args.work, base: args.base });
} catch (err) {
  // Bad data, a refused image URL, a failed step: one clear message, no stack trace.
  if (err instanceof LocalRecError) fail(err.message);
  throw err;
}
