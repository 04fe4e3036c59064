import { securityHeaders } from '../site/securityHeaders.ts';

/**
 * The pure half of LocalRec's service worker (src/sw/serviceWorker.ts): which requests it answers
 * from the app-shell cache, how it names that cache, and the headers it adds. Kept apart so it is
 * tested in Node.
 */

/** One precached file of a build: path relative to the site root, with its size and sha256. */
export interface PrecacheEntry {
  path: string;
  bytes: number;
  sha256: string;
}

/** What the build plugin writes into sw.js: the build's id and its app-shell files. */
export interface ServiceWorkerBuild {
  /** Hash of every precached file (and of the worker's own code): a new build, a new id. */
  buildId: string;
  files: PrecacheEntry[];
}

/** Every app-shell cache starts with this; "delete everything" removes them all. */
export const SHELL_CACHE_PREFIX = 'localrec-shell-';
/** File name of the service worker at the site root. */
export const SERVICE_WORKER_FILE = 'sw.js';
/** Virtual path the page asks (through the worker) how isolation was obtained. */
export const ISOLATION_PROBE_PATH = '__localrec/isolation';

/** Answer of the isolation probe. */
export interface IsolationProbe {
  buildId: string;
  /** True when the host itself sent COOP/COEP with the app's index.html. */
  hostIsolates: boolean;
}

/** Messages the page sends the worker. */
export type ServiceWorkerCommand = { type: 'skip-waiting' } | { type: 'claim' };

/** The cache that holds one build's shell. */
export function shellCacheName(buildId: string): string {
  return `${SHELL_CACHE_PREFIX}${buildId}`;
}

/**
 * The cache that keeps the catalog pictures a person has already seen with one build, so they show
 * offline too. It starts with the shell cache's name: a new build drops it with the old shell, and
 * "Delete everything" removes it with the other `localrec-shell-` caches.
 */
export function imageCacheName(buildId: string): string {
  return `${shellCacheName(buildId)}-images`;
}

/** Most pictures kept per build; the oldest entries go first beyond it. */
export const IMAGE_CACHE_MAX_ENTRIES = 400;

/** Picture files the worker keeps for offline use (catalog `image` paths are relative to the site). */
const IMAGE_FILE = /\.(png|jpe?g|gif|webp|avif|svg)$/i;

/** True when `headers` make a document cross-origin isolated on their own. */
export function hostIsolates(headers: Headers): boolean {
  const coop = headers.get('cross-origin-opener-policy')?.trim().toLowerCase();
  const coep = headers.get('cross-origin-embedder-policy')?.trim().toLowerCase();
  return coop === 'same-origin' && (coep === 'require-corp' || coep === 'credentialless');
}

/**
 * The response with every security header it lacks added (COOP/COEP make the page isolated on
 * hosts that cannot send them; the CSP keeps every request on this origin). Headers the host sent
 * are kept as they are. Opaque responses cannot be changed and are returned unchanged.
 */
export function withSecurityHeaders(res: Response): Response {
  if (res.type === 'opaque' || res.type === 'opaqueredirect' || res.status === 0) return res;
  const headers = new Headers(res.headers);
  let changed = false;
  for (const [name, value] of Object.entries(securityHeaders())) {
    if (!headers.has(name)) {
      headers.set(name, value);
      changed = true;
    }
  }
  if (!changed) return res;
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** How the worker answers one request. */
export type Route =
  | { kind: 'shell'; url: string }
  | { kind: 'probe' }
  | { kind: 'image'; url: string }
  | { kind: 'network' }
  | { kind: 'ignore' };

/**
 * Routes a request: the app's page (any query) and the build's own files come from the shell
 * cache; the probe is answered by the worker; pictures (the catalog's `image` files) come from
 * the network and are kept for offline use; other same-origin GETs under the scope (model
 * folders: the engine keeps those in its own cache) go to the network with headers added;
 * everything else is left to the browser.
 */
export function routeRequest(request: { url: string; method: string; mode: string }, scope: string, shellPaths: ReadonlySet<string>): Route {
  if (request.method !== 'GET') return { kind: 'ignore' };
  const url = new URL(request.url);
  const base = new URL(scope);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return { kind: 'ignore' };
  const path = decodeURIComponent(url.pathname.slice(base.pathname.length));
  if (path === ISOLATION_PROBE_PATH) return { kind: 'probe' };
  if (path === '' || path === 'index.html') {
    return shellPaths.has('index.html') ? { kind: 'shell', url: new URL('index.html', base).href } : { kind: 'network' };
  }
  if (shellPaths.has(path)) return { kind: 'shell', url: new URL(path, base).href };
  // Catalog pictures (anywhere in the site but the model folders): kept once seen, for offline use.
  if (!path.startsWith('models/') && IMAGE_FILE.test(path)) return { kind: 'image', url: url.origin + url.pathname };
  return { kind: 'network' };
}

/** Files of a built site that belong in the shell cache (paths relative to the site root). */
export function isShellFile(path: string): boolean {
  if (path === SERVICE_WORKER_FILE || path.endsWith('.map')) return false;
  if (path.startsWith('assets/')) return /\.(js|mjs|css|wasm|png|svg|woff2?)$/.test(path);
  if (path.startsWith('icons/')) return /\.(png|svg)$/.test(path);
  return !path.includes('/') && /\.(html|webmanifest|ico|png|svg)$/.test(path);
}
