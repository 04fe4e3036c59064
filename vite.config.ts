import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { LIB_ALIASES } from './scripts/build/entries.ts';
import { localrecWasmPlugin } from './scripts/build/wasmFiles.ts';
import { serviceWorkerPlugin } from './scripts/vite/serviceWorkerPlugin.ts';
import { CONTENT_SECURITY_POLICY, securityHeaders } from './src/site/securityHeaders.ts';

/** The dev server injects one inline module (React Fast Refresh preamble); it carries this nonce. */
const DEV_NONCE = 'localrec-dev';

export default defineConfig(({ command, isPreview }) => {
  const devCsp = CONTENT_SECURITY_POLICY.replace("script-src 'self'", `script-src 'self' 'nonce-${DEV_NONCE}'`);
  return {
    // The service worker (offline use, isolation on hosts without headers) exists only in builds.
    plugins: [react(), localrecWasmPlugin(), serviceWorkerPlugin()],
    // The app imports LocalRec through its public entries, like any other site.
    resolve: { alias: LIB_ALIASES },
    html: command === 'serve' && !isPreview ? { cspNonce: DEV_NONCE } : {},
    // The worker is not minified: tfjs-backend-wasm starts its thread workers from the source text of
    // a factory function (Function#toString), which breaks once a minifier renames what it closes over.
    worker: { format: 'es', rolldownOptions: { output: { minify: false } } },
    server: { headers: securityHeaders(devCsp) },
    preview: { headers: securityHeaders() },
    build: { target: 'es2022', sourcemap: true },
  };
});
