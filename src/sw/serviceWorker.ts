// LocalRec's service worker: the app shell offline, and COOP/COEP on hosts that cannot send them.
// Built into <site>/sw.js by scripts/vite/serviceWorkerPlugin.ts, which defines __LOCALREC_SW_BUILD__.
import {
  hostIsolates,
  IMAGE_CACHE_MAX_ENTRIES,
  imageCacheName,
  routeRequest,
  SHELL_CACHE_PREFIX,
  shellCacheName,
  withSecurityHeaders,
  type IsolationProbe,
  type ServiceWorkerBuild,
  type ServiceWorkerCommand,
} from './swLogic';

declare const __LOCALREC_SW_BUILD__: ServiceWorkerBuild;

// The DOM lib types `self` as a Window; these are the few service-worker members used here.
interface ExtendableEventLike extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEventLike extends ExtendableEventLike {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface MessageEventLike extends ExtendableEventLike {
  data: unknown;
}
interface ServiceWorkerScope {
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEventLike) => void): void;
  addEventListener(type: 'message', listener: (e: MessageEventLike) => void): void;
}

const sw = self as unknown as ServiceWorkerScope;
const build = __LOCALREC_SW_BUILD__;
const cacheName = shellCacheName(build.buildId);
const imagesName = imageCacheName(build.buildId);
const shellPaths = new Set(build.files.map((f) => f.path));

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Downloads every shell file and checks it against the build's sha256 before caching: a server
 * that already serves another build fails the install, so a cache never mixes two builds.
 */
async function precache(): Promise<void> {
  const cache = await caches.open(cacheName);
  for (const file of build.files) {
    const url = new URL(file.path, sw.registration.scope).href;
    const res = await fetch(url, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`LocalRec service worker: ${file.path} answered HTTP ${res.status}; not installing this build.`);
    const bytes = await res.clone().arrayBuffer();
    if ((await sha256Hex(bytes)) !== file.sha256) throw new Error(`LocalRec service worker: ${file.path} is not the file of build ${build.buildId}; not installing it.`);
    await cache.put(url, res);
  }
}

async function dropOtherBuilds(): Promise<void> {
  for (const name of await caches.keys()) {
    if (name.startsWith(SHELL_CACHE_PREFIX) && name !== cacheName && name !== imagesName) await caches.delete(name);
  }
}

async function fromShell(url: string, request: Request): Promise<Response> {
  const hit = await (await caches.open(cacheName)).match(url);
  return withSecurityHeaders(hit ?? (await fetch(request)));
}

/**
 * A catalog picture: from the network when it answers (kept, so the next offline visit shows it),
 * else the kept copy; with neither, the network error reaches the page, which draws a generated cover.
 */
async function image(url: string, request: Request): Promise<Response> {
  try {
    const res = await fetch(request);
    if (res.ok && res.type === 'basic') {
      const cache = await caches.open(imagesName);
      await cache.put(url, res.clone());
      const keys = await cache.keys();
      for (const old of keys.slice(0, Math.max(0, keys.length - IMAGE_CACHE_MAX_ENTRIES))) await cache.delete(old);
    }
    return withSecurityHeaders(res);
  } catch (offline) {
    const kept = await (await caches.open(imagesName)).match(url);
    if (kept) return withSecurityHeaders(kept);
    throw offline;
  }
}

async function probe(): Promise<Response> {
  const index = await (await caches.open(cacheName)).match(new URL('index.html', sw.registration.scope).href);
  const body: IsolationProbe = { buildId: build.buildId, hostIsolates: index ? hostIsolates(index.headers) : false };
  return withSecurityHeaders(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } }));
}

sw.addEventListener('install', (e) => e.waitUntil(precache()));
sw.addEventListener('activate', (e) => e.waitUntil(dropOtherBuilds().then(() => sw.clients.claim())));
sw.addEventListener('message', (e) => {
  const command = e.data as ServiceWorkerCommand | null;
  if (command?.type === 'skip-waiting') e.waitUntil(sw.skipWaiting());
  else if (command?.type === 'claim') e.waitUntil(sw.clients.claim());
});
sw.addEventListener('fetch', (e) => {
  const route = routeRequest(e.request, sw.registration.scope, shellPaths);
  switch (route.kind) {
    case 'ignore':
      return;
    case 'probe':
      e.respondWith(probe());
      return;
    case 'shell':
      e.respondWith(fromShell(route.url, e.request));
      return;
    case 'image':
      e.respondWith(image(route.url, e.request));
      return;
    case 'network':
      e.respondWith(fetch(e.request).then(withSecurityHeaders));
      return;
  }
});
