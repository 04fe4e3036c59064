import { ISOLATION_PROBE_PATH, SERVICE_WORKER_FILE, SHELL_CACHE_PREFIX, type IsolationProbe, type ServiceWorkerCommand } from '../../sw/swLogic';
import { describeIsolation, type Isolation } from './isolation';

/** What the app knows about its service worker: offline copy, isolation, pending update. */
export interface SiteState {
  isolation: Isolation;
  /** `ready`: this build is cached and the page works offline; `off`: no service worker (see reason). */
  offline: { state: 'ready' | 'installing' | 'off'; reason: string };
  /** Id of the cached build (from the service worker), null when none. */
  buildId: string | null;
  /** A newer build is downloaded and waits for a reload. */
  updateReady: boolean;
}

/** The site's service worker as the UI sees it (see {@link startSite}). */
export interface SiteController {
  get(): SiteState;
  subscribe(listener: () => void): () => void;
  /** Switches every open tab to the waiting build (each reloads once). */
  applyUpdate(): void;
  /** Deletes the app-shell caches and unregisters the service worker; returns the caches deleted. */
  forgetOfflineCopy(): Promise<number>;
}

/** Session flag: this tab already reloaded once to come under the service worker. */
const RELOAD_FLAG = 'localrec-isolation-reload';
/** How long the first visit waits for the service worker before starting without it. */
const FIRST_VISIT_WAIT_MS = 8000;

/** sessionStorage, or null where the browser refuses it (storage disabled, sandboxed frames). */
function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch (err) {
    console.warn('LocalRec: sessionStorage is unavailable; the isolation reload is skipped', err);
    return null;
  }
}

function waitForController(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { navigator.serviceWorker.removeEventListener('controllerchange', done); resolve(false); }, ms);
    function done() {
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener('controllerchange', done);
      resolve(true);
    }
    navigator.serviceWorker.addEventListener('controllerchange', done);
  });
}

async function probe(base: string): Promise<IsolationProbe | null> {
  try {
    const res = await fetch(`${base}${ISOLATION_PROBE_PATH}`, { cache: 'no-store' });
    if (!res.ok) return null;
    const body = (await res.json()) as Partial<IsolationProbe>;
    return typeof body.buildId === 'string' && typeof body.hostIsolates === 'boolean' ? { buildId: body.buildId, hostIsolates: body.hostIsolates } : null;
  } catch (err) {
    console.warn('LocalRec: the service worker did not answer the isolation probe', err);
    return null;
  }
}

function staticController(state: SiteState): SiteController {
  return { get: () => state, subscribe: () => () => {}, applyUpdate: () => {}, forgetOfflineCopy: async () => 0 };
}

/**
 * Registers the site's service worker (sw.js at `base`) before the app starts. On a host that
 * sends no COOP/COEP, the first visit waits for the worker to install (it caches the app shell,
 * a few MB) and reloads once so the worker's headers isolate the page: `{reloading: true}` then,
 * and the caller renders nothing. Never loops: one reload per tab session at most.
 */
export async function startSite(base: string, { register = true }: { register?: boolean } = {}): Promise<{ reloading: true } | { reloading: false; site: SiteController }> {
  const isolated = globalThis.crossOriginIsolated === true;
  const store = session();
  // Without sessionStorage the one-reload guard cannot be kept: behave as if already reloaded.
  const reloaded = store === null || store.getItem(RELOAD_FLAG) === '1';
  const noWorker = !register
    ? 'the development server runs without the service worker'
    : !('serviceWorker' in navigator)
      ? 'this browser has no service workers'
      : !window.isSecureContext
        ? 'service workers need https or localhost'
        : null;
  if (noWorker) {
    const isolation = describeIsolation({ crossOriginIsolated: isolated, controlled: false, hostIsolates: null, noServiceWorker: noWorker, reloadedForIsolation: reloaded });
    return { reloading: false, site: staticController({ isolation, offline: { state: 'off', reason: noWorker }, buildId: null, updateReady: false }) };
  }

  // Never awaited without a bound: a registration that hangs (blocked by the browser or a test
  // harness) or fails must not keep the app from starting.
  const registering = navigator.serviceWorker.register(`${base}${SERVICE_WORKER_FILE}`, { scope: base, updateViaCache: 'none' });
  if (!isolated && !navigator.serviceWorker.controller && !reloaded) {
    const started = Date.now();
    const registration = await withTimeout(registering, FIRST_VISIT_WAIT_MS);
    if (registration) {
      // An installed worker that does not control this tab (a hard reload): ask it to.
      registration.active?.postMessage({ type: 'claim' } satisfies ServiceWorkerCommand);
      if (await waitForController(FIRST_VISIT_WAIT_MS - (Date.now() - started))) {
        store?.setItem(RELOAD_FLAG, '1');
        location.reload();
        return { reloading: true };
      }
    }
  }
  if (isolated) store?.removeItem(RELOAD_FLAG);
  return { reloading: false, site: liveController(base, registering, isolated, reloaded) };
}

/** The promise's value, or null when it rejects or takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), Math.max(0, ms));
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      () => { clearTimeout(timer); resolve(null); },
    );
  });
}

function liveController(base: string, registering: Promise<ServiceWorkerRegistration>, isolated: boolean, reloaded: boolean): SiteController {
  const listeners = new Set<() => void>();
  const controlled = () => navigator.serviceWorker.controller !== null;
  let state: SiteState = {
    isolation: describeIsolation({ crossOriginIsolated: isolated, controlled: controlled(), hostIsolates: null, noServiceWorker: null, reloadedForIsolation: reloaded }),
    offline: controlled() ? { state: 'ready', reason: 'this version is cached on this device' } : { state: 'installing', reason: 'caching the app for offline use' },
    buildId: null,
    updateReady: false,
  };
  const set = (patch: Partial<SiteState>) => {
    state = { ...state, ...patch };
    for (const l of listeners) l();
  };
  const refresh = async () => {
    const answer = controlled() ? await probe(base) : null;
    set({
      buildId: answer?.buildId ?? null,
      isolation: describeIsolation({ crossOriginIsolated: isolated, controlled: controlled(), hostIsolates: answer?.hostIsolates ?? null, noServiceWorker: null, reloadedForIsolation: reloaded }),
      offline: controlled() ? { state: 'ready', reason: 'this version is cached on this device' } : state.offline,
    });
  };
  void refresh();

  let registration: ServiceWorkerRegistration | null = null;
  registering.then(
    (reg) => {
      registration = reg;
      if (reg.waiting && controlled()) set({ updateReady: true });
      reg.addEventListener('updatefound', () => {
        const next = reg.installing;
        next?.addEventListener('statechange', () => {
          if (next.state === 'installed' && controlled()) set({ updateReady: true });
        });
      });
    },
    (err: unknown) => {
      const why = `the service worker could not be registered (${err instanceof Error ? err.message : String(err)})`;
      console.warn(`LocalRec: ${why}`);
      set({ offline: { state: 'off', reason: why } });
    },
  );
  // A switch from one build to another (this tab's update or another tab's) reloads the page, so it
  // never runs one build's page with another build's files. The first claim only refreshes the state.
  let hadController = controlled();
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (hadController) location.reload();
    else void refresh();
    hadController = true;
  });

  return {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    applyUpdate() {
      registration?.waiting?.postMessage({ type: 'skip-waiting' } satisfies ServiceWorkerCommand);
    },
    async forgetOfflineCopy() {
      let deleted = 0;
      for (const name of await caches.keys()) if (name.startsWith(SHELL_CACHE_PREFIX) && (await caches.delete(name))) deleted++;
      await (await withTimeout(registering, 2000))?.unregister();
      set({ offline: { state: 'off', reason: 'the offline copy was deleted; the next visit caches it again' }, updateReady: false });
      return deleted;
    },
  };
}
