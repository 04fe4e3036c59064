import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/** The tfjs WASM binaries the engine worker loads from beside its own URL. */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/** Path of one binary in the installed @tensorflow/tfjs-backend-wasm. */
export function wasmSourcePath(file: (typeof WASM_FILES)[number]): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist', file);
}

/**
 * Puts the WASM binaries where the worker (src/lib/worker.ts) looks for them, beside its own URL:
 * in `vite build` next to the worker chunk (`<assetsDir>/`), on the dev server under `/src/lib/`
 * (the unbundled worker module's folder). Names are kept: the worker asks for them by name.
 */
export function localrecWasmPlugin(): Plugin {
  let assetsDir = 'assets';
  return {
    name: 'localrec-wasm-files',
    configResolved(config) {
      assetsDir = config.build.assetsDir;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        const file = WASM_FILES.find((f) => path === `/src/lib/${f}`);
        if (!file) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(wasmSourcePath(file)));
      });
    },
    generateBundle() {
      for (const file of WASM_FILES) this.emitFile({ type: 'asset', fileName: `${assetsDir}/${file}`, source: readFileSync(wasmSourcePath(file)) });
    },
  };
}
