/**
 * The response headers LocalRec wants on every file, in one place: the dev and preview servers
 * (vite.config.ts), the service worker (which adds them on hosts that cannot) and the header files
 * `npm run demo` writes for static hosts all read them from here.
 */

/**
 * Content-Security-Policy: the page can talk only to its own origin. `'wasm-unsafe-eval'` lets
 * tfjs compile its WASM; `blob:` in worker-src and script-src is for tfjs's WASM thread workers,
 * which start from a blob that importScripts another blob (both made by the app's own code).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "manifest-src 'self'",
].join('; ');

/** COOP + COEP make the page cross-origin isolated: SharedArrayBuffer, so multi-threaded WASM. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Every header LocalRec's files should carry, with `csp` as the Content-Security-Policy. */
export function securityHeaders(csp: string = CONTENT_SECURITY_POLICY): Record<string, string> {
  return {
    ...ISOLATION_HEADERS,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
