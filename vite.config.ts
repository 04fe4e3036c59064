import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Security headers sent by the dev and preview servers (and, for static hosts, by public/_headers).
 * COOP/COEP give cross-origin isolation, which WASM threads need (SharedArrayBuffer).
 */
const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/** The dev server injects one inline module (React Fast Refresh preamble); it carries this nonce. */
const DEV_NONCE = 'localrec-dev';

function securityHeaders(csp: string): Record<string, string> {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Public path of the tfjs WASM binaries: served by the app itself, never from a CDN. */
const WASM_DIR = 'tfjs-wasm/';
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Serves the tfjs-backend-wasm binaries at /tfjs-wasm/ in dev and copies them into the build. */
function tfjsWasmFiles(): Plugin {
  const require = createRequire(import.meta.url);
  const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  return {
    name: 'localrec:tfjs-wasm',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        const name = path.startsWith(`/${WASM_DIR}`) ? path.slice(WASM_DIR.length + 1) : '';
        if (!WASM_FILES.includes(name)) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(join(distDir, name)));
      });
    },
    generateBundle() {
      for (const name of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `${WASM_DIR}${name}`, source: readFileSync(join(distDir, name)) });
      }
    },
  };
}

export default defineConfig(({ command, isPreview }) => {
  const devCsp = CSP.replace("script-src 'self'", `script-src 'self' 'nonce-${DEV_NONCE}'`);
  return {
    plugins: [react(), tfjsWasmFiles()],
    html: command === 'serve' && !isPreview ? { cspNonce: DEV_NONCE } : {},
    worker: { format: 'es' },
    server: { headers: securityHeaders(devCsp) },
    preview: { headers: securityHeaders(CSP) },
    build: { target: 'es2022', sourcemap: true },
  };
});
