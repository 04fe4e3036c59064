import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The example uses the BUILT library (`npm run build:lib` -> dist-lib/), as a site that installed
 * the package would: `localrec` and `localrec/react` point at its files. On the dev server these
 * are served unbundled, so the library finds `localrec-worker.js` and the WASM files beside itself.
 * The models come from the repository's public/ folder. COOP/COEP make the page cross-origin
 * isolated, so WASM runs multi-threaded (without them LocalRec runs single-threaded and says so).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: `${repo}public`,
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^localrec$/, replacement: `${repo}dist-lib/localrec.js` },
      { find: /^localrec\/react$/, replacement: `${repo}dist-lib/localrec-react.js` },
    ],
  },
  server: {
    fs: { allow: [repo] },
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
