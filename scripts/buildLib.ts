/** `npm run build:lib`: writes dist-lib/, the LocalRec library (see docs/LIBRARY.md and scripts/build/buildLib.ts). */
import { buildLib } from './build/buildLib';
import { failWith, parseCli } from './lib/cli';

const USAGE = `Usage: npm run build:lib [-- --out <dir>]

Builds the LocalRec library (page entry, React bindings, widget, worker + WASM files, Node entry,
.d.ts) into one folder that can be copied to any static host or CDN.
  --out <dir>   output folder, emptied first (default dist-lib)`;

const { values } = parseCli('build:lib', USAGE, { options: { out: { type: 'string', default: 'dist-lib' } } });
buildLib(values.out).then(
  (b) => console.log(`build:lib: wrote ${b.out}/ (${b.widget ? 'with' : 'without'} the widget entry)`),
  (err: unknown) => failWith('build:lib')(err instanceof Error ? err.message : String(err)),
);
