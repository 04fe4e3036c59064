/** How the page got (or did not get) cross-origin isolation, which multi-threaded WASM needs. */
export type IsolationMode = 'host' | 'service-worker' | 'none';

/** The isolation mode with the reason shown to the person. */
export interface Isolation {
  mode: IsolationMode;
  reason: string;
}

/** Facts about the page that decide the isolation mode. */
export interface IsolationFacts {
  crossOriginIsolated: boolean;
  /** The page is controlled by LocalRec's service worker. */
  controlled: boolean;
  /** From the service worker: whether the host itself sent COOP/COEP (null: not known). */
  hostIsolates: boolean | null;
  /** Why there is no service worker, when there is none (insecure origin, unsupported, failed). */
  noServiceWorker: string | null;
  /** The page was already reloaded once to come under the service worker. */
  reloadedForIsolation: boolean;
}

/** Short label of each mode for the status panel. */
export const ISOLATION_LABELS: Readonly<Record<IsolationMode, string>> = {
  host: 'headers from the host',
  'service-worker': 'added by the service worker',
  none: 'not isolated: single-threaded',
};

/** Decides the isolation mode and why, from what the page can observe. */
export function describeIsolation(f: IsolationFacts): Isolation {
  if (f.crossOriginIsolated) {
    if (f.controlled && f.hostIsolates === false) {
      return { mode: 'service-worker', reason: 'The host sends no COOP/COEP headers; LocalRec\'s service worker adds them to every file of this site, so WASM can use threads.' };
    }
    return { mode: 'host', reason: 'The host sends COOP/COEP headers, so WASM can use threads.' };
  }
  if (f.noServiceWorker) return { mode: 'none', reason: `The host sends no COOP/COEP headers and ${f.noServiceWorker}, so WASM runs on one thread.` };
  if (f.controlled) {
    return { mode: 'none', reason: 'The service worker adds COOP/COEP, but this page is still not isolated (opened inside another page, or by a browser that ignores them), so WASM runs on one thread.' };
  }
  if (f.reloadedForIsolation) {
    return { mode: 'none', reason: 'The service worker did not take control of this page after one reload (a hard reload bypasses it), so WASM runs on one thread; a normal reload fixes it.' };
  }
  return { mode: 'none', reason: 'The service worker is still being installed; the next visit uses threads.' };
}
