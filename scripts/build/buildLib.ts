/**
 * The library build behind `npm run build:lib`: writes dist-lib/, the folder a site copies to any static host or CDN.
 *   localrec.js         page API (no TensorFlow.js)         localrec-react.js   React bindings (imports ./localrec.js)
 *   localrec-widget.js  <localrec-feed>, one module, no React (once src/widget/index.ts exists)
 *   localrec-worker.js  the engine worker (TensorFlow.js; unminified: threaded WASM needs its source text)
 *   tfjs-backend-wasm*.wasm  beside the worker, which finds them relative to its own URL
 *   localrec-node.js    Node entry (dependencies stay imports)    types/  .d.ts of every entry
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasWidgetEntry, LIB_ENTRIES, ROOT } from './entries';
import { WASM_FILES, wasmSourcePath } from './wasmFiles';

/** `localrec` imported by another entry stays an import of the sibling file, so both share one copy. */
const siblingLocalrec: Plugin = {
  name: 'localrec-sibling',
  setup(b) {
    b.onResolve({ filter: /^localrec$/ }, () => ({ path: './localrec.js', external: true }));
  },
};

/** Resolves the public specifiers to their sources (the widget bundles `localrec` into itself). */
const sourceEntries: Plugin = {
  name: 'localrec-sources',
  setup(b) {
    b.onResolve({ filter: /^localrec(\/(react|node|widget))?$/ }, (args) => ({ path: LIB_ENTRIES[args.path as keyof typeof LIB_ENTRIES] }));
  },
};

/** The widget is framework-free: React in its bundle is a build error, not a silent 200 KB. */
const noReact: Plugin = {
  name: 'no-react',
  setup(b) {
    b.onResolve({ filter: /^react(-dom)?(\/.*)?$/ }, (args) => ({ errors: [{ text: `The widget must not import React ("${args.path}" from ${args.importer}); React hosts use localrec/react.` }] }));
  },
};

/** What went into each bundle (source paths, from esbuild's metafile), for checks on the output. */
export interface LibBuild {
  out: string;
  inputs: Record<string, string[]>;
  /** Imports each bundle keeps (paths of other modules it loads at run time). */
  imports: Record<string, string[]>;
  widget: boolean;
}

/** Builds every entry into `out` (emptied first). */
export async function buildLib(out: string): Promise<LibBuild> {
  const inputs: Record<string, string[]> = {};
  const imports: Record<string, string[]> = {};
  const run = async (name: string, options: BuildOptions): Promise<void> => {
    const result = await build({ ...options, metafile: true });
    inputs[name] = Object.keys(result.metafile.inputs);
    imports[name] = Object.entries(result.metafile.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .flatMap(([, o]) => o.imports.map((i) => i.path));
  };
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, legalComments: 'none', logLevel: 'warning' } as const;
  const browser = { ...common, platform: 'browser', define: { 'process.env.NODE_ENV': '"production"' } } as const;

  await run('localrec', { ...browser, entryPoints: { localrec: LIB_ENTRIES.localrec }, outdir: out, minify: true });
  await run('localrec-react', { ...browser, entryPoints: { 'localrec-react': LIB_ENTRIES['localrec/react'] }, outdir: out, minify: true, jsx: 'automatic', external: ['react', 'react-dom', 'react/*'], plugins: [siblingLocalrec] });
  if (hasWidgetEntry()) {
    await run('localrec-widget', { ...browser, entryPoints: { 'localrec-widget': LIB_ENTRIES['localrec/widget'] }, outdir: out, minify: true, loader: { '.css': 'text' }, plugins: [noReact, sourceEntries] });
  }
  // Unminified on purpose: tfjs-backend-wasm starts its thread workers from its factory's source text.
  await run('localrec-worker', { ...browser, entryPoints: { 'localrec-worker': `${ROOT}src/lib/worker.ts` }, outdir: out, minify: false });
  await run('localrec-node', { ...common, platform: 'node', entryPoints: { 'localrec-node': LIB_ENTRIES['localrec/node'] }, outdir: out, packages: 'external' });
  for (const file of WASM_FILES) copyFileSync(wasmSourcePath(file), join(out, file));

  const entries = ['src/lib/index.ts', 'src/lib/react/index.ts', 'src/lib/node/index.ts', ...(hasWidgetEntry() ? ['src/widget/index.ts'] : [])];
  const tsconfig = join(out, 'tsconfig.types.json');
  writeFileSync(tsconfig, JSON.stringify({
    extends: `${ROOT}tsconfig.json`,
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, rootDir: `${ROOT}src`, outDir: 'types', types: ['node'] },
    include: [], files: entries.map((e) => `${ROOT}${e}`),
  }, null, 2));
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig], { stdio: ['ignore', 'inherit', 'inherit'] });
  } finally {
    rmSync(tsconfig);
  }
  return { out, inputs, imports, widget: hasWidgetEntry() };
}
