import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { LIB_ALIASES } from './scripts/build/entries.ts';
import { localrecWasmPlugin } from './scripts/build/wasmFiles.ts';

/**
 * Security headers sent by the dev and preview servers (and, for static hosts, by public/_headers).
 * COOP/COEP give cross-origin isolation, which WASM threads need (SharedArrayBuffer). tfjs starts
 * its WASM thread workers from blobs that importScripts another blob: hence `blob:` in
 * worker-src and script-src (blobs can only be made by the app's own scripts).
 */
const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
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

export default defineConfig(({ command, isPreview }) => {
  const devCsp = CSP.replace("script-src 'self'", `script-src 'self' 'nonce-${DEV_NONCE}'`);
  return {
    plugins: [react(), localrecWasmPlugin()],
    // The app imports LocalRec through its public entries, like any other site.
    resolve: { alias: LIB_ALIASES },
    html: command === 'serve' && !isPreview ? { cspNonce: DEV_NONCE } : {},
    // The worker is not minified: tfjs-backend-wasm starts its thread workers from the source text of
    // a factory function (Function#toString), which breaks once a minifier renames what it closes over.
    worker: { format: 'es', rolldownOptions: { output: { minify: false } } },
    server: { headers: securityHeaders(devCsp) },
    preview: { headers: securityHeaders(CSP) },
    build: { target: 'es2022', sourcemap: true },
  };
});
