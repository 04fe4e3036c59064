/**
 * The page-side proxy behind `localrec`'s `createRecommender` (src/lib): the engine runs in a Web
 * Worker and this proxy implements the same `Recommender` interface. It imports no TensorFlow.js.
 * The public names are exported by src/lib/index.ts only.
 */
import { deserializeError, LocalRecError } from './errors';
import type { MessagePortLike, RpcMethod, RpcMethods, RpcRequest, RpcResponse, WorkerInitOptions } from './rpc/protocol';
import { pageColdStart } from './recommender/pageColdStart';
import { rankWithInputs, type RankInputs } from './recommender/rankInputs';
import { checkRecommendOptions, type CatalogIndex } from './rank/rankFeed';
import type { ProgressEvent, ReadyInfo, Recommender, RecommenderOptions } from './recommender/types';
import { resolveModelUrl, type FetchLike } from './loading/fetchModelFiles';

/** How long `dispose` waits for the worker to release its resources before terminating it. */
const DISPOSE_GRACE_MS = 3000;
/** A worker that crashes more often than this (within `RESTART_WINDOW_MS`) is not restarted again. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/** A Worker, or anything with the same messaging surface (tests use a MessageChannel port). */
export type WorkerLike = MessagePortLike & { terminate?: () => void; addEventListener(type: 'error', listener: (ev: Event) => void): void };

export interface WorkerRecommenderOptions extends RecommenderOptions {
  /**
   * The engine worker (see src/worker.ts), or a factory for it. With a factory, a worker that
   * crashes after loading is replaced by a new one, which reloads the data from IndexedDB.
   */
  worker: WorkerLike | (() => WorkerLike);
  /** Page-side fetch for the cold-start catalog (tests); default the global fetch. */
  pageFetch?: FetchLike;
}

/**
 * Starts the engine in a worker and returns the `Recommender` that talks to it.
 *
 * @example
 * const engine = createWorkerRecommender({
 *   worker: () => new Worker(new URL('../worker.ts', import.meta.url), { type: 'module' }),
 *   modelUrl: '/models/ml-1m-sasrec/',
 *   device: 'auto',
 *   onProgress: (e) => console.log(e),
 * });
 * const info = await engine.ready; // { backend: 'wasm', ... }
 */
export function createWorkerRecommender(options: WorkerRecommenderOptions): Recommender {
  const factory = typeof options.worker === 'function' ? options.worker : null;
  let worker = factory ? factory() : (options.worker as WorkerLike);
  const restarts: number[] = [];
  // Snapshot versions go on across restarts: a new worker's versions are offset by the last one seen.
  let versionBase = 0;
  let lastVersion = 0;
  let restarting = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let closed: LocalRecError | null = null;
  let resolveReady!: (i: ReadyInfo) => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<ReadyInfo>((res, rej) => { resolveReady = res; rejectReady = rej; });
  let settled = false;
  ready.then(() => { settled = true; }, () => { settled = true; });

  const failAll = (err: LocalRecError) => {
    closed = err;
    dropRankInputs();
    rejectReady(err);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const emit = (e: ProgressEvent) => {
    try { options.onProgress?.(e); } catch { /* a throwing listener must not break the engine */ }
  };
  const onMessage = (ev: MessageEvent) => {
    const msg = ev.data as RpcResponse;
    switch (msg.kind) {
      case 'progress':
        if (msg.event.status === 'updated') {
          const snapshot = { ...msg.event.snapshot, version: msg.event.snapshot.version + versionBase };
          lastVersion = Math.max(lastVersion, snapshot.version);
          msg.event = { ...msg.event, snapshot };
        }
        // New history or weights (or the model becoming ready, or lost with its GPU device) change
        // what the feed is ranked from; a settings change only its default discover setting.
        if (msg.event.status === 'ready' || msg.event.status === 'device-lost') dropRankInputs();
        else if (msg.event.status === 'updated') {
          if (msg.event.what === 'settings') followSettings(msg.event.snapshot.settings.discover);
          else if (msg.event.what !== 'status') {
            dropRankInputs();
            rankVersion = msg.event.snapshot.version;
          }
        }
        emit(msg.event);
        return;
      case 'inputs':
        // Only for the latest change that moved the feed (an older push crossed a newer change).
        if (msg.version + versionBase === rankVersion) offerRankInputs(msg.inputs);
        return;
      case 'ready':
        if (restarting) {
          restarting = false;
          if (msg.result.ok) void announceRestart();
          else failAll(deserializeError(msg.result.error));
        } else if (msg.result.ok) resolveReady(msg.result.value);
        else rejectReady(deserializeError(msg.result.error));
        return;
      case 'result': {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.result.ok) p.resolve(msg.result.value);
        else p.reject(deserializeError(msg.result.error));
        return;
      }
      default: {
        const never: never = msg;
        throw new Error(`unknown worker message ${JSON.stringify(never)}`);
      }
    }
  };
  /**
   * The worker crashed (an uncaught error in it). Before the model loaded, or too often, or when
   * it cannot be started again: everything fails with a clear message. Otherwise calls in flight
   * fail, a new worker starts and reloads the person's data from IndexedDB, and the page hears
   * what happened (an `error` event during `worker`, then an `updated` snapshot of everything).
   */
  const onCrash = (ev: Event) => {
    if (closed) return;
    const message: unknown = 'message' in ev ? ev.message : undefined;
    const detail = typeof message === 'string' && message ? message : 'no details';
    const now = Date.now();
    while (restarts.length > 0 && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (!settled || restarting || !factory || restarts.length >= MAX_RESTARTS) {
      worker.terminate?.();
      failAll(new LocalRecError('WORKER_CRASHED', `The engine worker failed to start or crashed (${detail}). Reload the page to try again.`));
      return;
    }
    restarts.push(now);
    const err = new LocalRecError('WORKER_CRASHED', `The recommendation engine stopped unexpectedly (${detail}). It was restarted and your history and fine-tuned model were reloaded from this browser's storage; a fine-tuning run in progress was lost and will run again.`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    dropRankInputs();
    detach(worker);
    worker.terminate?.();
    versionBase = lastVersion;
    restarting = true;
    worker = factory();
    attach(worker);
    worker.postMessage({ kind: 'init', options: init } satisfies RpcRequest);
    emit({ status: 'error', during: 'worker', code: 'WORKER_CRASHED', message: err.message });
  };
  /** After a restart: one snapshot of everything, so every reader re-reads and the feed re-ranks. */
  async function announceRestart(): Promise<void> {
    try {
      const s = await call('state');
      const version = s.version + versionBase;
      lastVersion = Math.max(lastVersion, version);
      emit({ status: 'updated', what: 'all', origin: 'local', snapshot: { version, status: s.status, settings: s.settings, history: { kind: 'replaced' } } });
    } catch (err) {
      const e = err instanceof LocalRecError ? err : new LocalRecError('INTERNAL', String(err));
      emit({ status: 'error', during: 'worker', code: e.code, message: e.message });
    }
  }
  // Each worker gets its own listeners, which ignore it once it has been replaced.
  let listening: ((ev: MessageEvent) => void) | null = null;
  function attach(w: WorkerLike): void {
    listening = (ev: MessageEvent) => { if (w === worker) onMessage(ev); };
    w.addEventListener('message', listening);
    w.addEventListener('error', (ev: Event) => { if (w === worker) onCrash(ev); });
  }
  function detach(w: WorkerLike): void {
    if (listening) w.removeEventListener('message', listening);
    listening = null;
  }
  attach(worker);

  const { onProgress: _onProgress, worker: _worker, pageFetch, ...rest } = options;
  const init: WorkerInitOptions = { ...rest, modelUrl: resolveModelUrl(options.modelUrl) };
  // Until the worker is up, the catalog and the cold-start feed come from here: the first paint never waits.
  const coldStart = pageColdStart(init.modelUrl, options.namespace ?? 'default', pageFetch);
  worker.postMessage({ kind: 'init', options: init } satisfies RpcRequest);

  // The feed's inputs for the current history and weights, fetched once per change: re-ranks that
  // change no history (discover control, paging, the seen toggle) are ranked here, no round trip.
  let rankInputs: Promise<{ inputs: RankInputs; exclude: ReadonlySet<number> }> | null = null;
  let rankInputsGeneration = 0;
  /** Snapshot version (page numbering) of the last change that moved the feed. */
  let rankVersion = -1;
  /** A request for this generation's inputs that a push may answer first (the worker may be mid-step). */
  let waiting: { generation: number; resolve: (v: { inputs: RankInputs; exclude: ReadonlySet<number> }) => void } | null = null;
  function dropRankInputs(): void {
    rankInputs = null;
    rankInputsGeneration++;
    waiting = null;
  }
  function offerRankInputs(inputs: RankInputs): void {
    const value = { inputs, exclude: new Set(inputs.seen) };
    if (waiting?.generation === rankInputsGeneration) waiting.resolve(value);
    waiting = null;
    rankInputs = Promise.resolve(value);
  }
  function followSettings(discover: number): void {
    const current = rankInputs;
    if (current) rankInputs = current.then((r) => ({ inputs: { ...r.inputs, discover }, exclude: r.exclude }));
  }
  function currentRankInputs(): Promise<{ inputs: RankInputs; exclude: ReadonlySet<number> }> {
    if (rankInputs) return rankInputs;
    const generation = rankInputsGeneration;
    const pushed = new Promise<{ inputs: RankInputs; exclude: ReadonlySet<number> }>((resolve) => { waiting = { generation, resolve }; });
    const asked = call('rankInputs').then((inputs) => ({ inputs, exclude: new Set(inputs.seen) }));
    // Whichever comes first: the answer, or inputs the worker pushes for new weights (while it
    // trains on, the answer would wait for the end of the current step).
    const p = Promise.race([asked, pushed]);
    // An answer that crossed a change is used once, not kept.
    if (generation === rankInputsGeneration) rankInputs = p;
    p.then(() => { if (generation !== rankInputsGeneration && rankInputs === p) rankInputs = null; }, () => { if (rankInputs === p) rankInputs = null; });
    return p;
  }

  function call<M extends RpcMethod>(method: M, ...args: RpcMethods[M]['args']): Promise<RpcMethods[M]['result']> {
    if (closed) return Promise.reject(closed);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ kind: 'call', id, method, args } as RpcRequest);
    });
  }

  return {
    ready,
    async catalog() {
      if (!settled && !closed) {
        try {
          return await coldStart.catalog();
        } catch {
          // Let the worker answer.
        }
      }
      return call('catalog');
    },
    async recommend(opts) {
      // Ranked here from cached inputs, so a disposed or failed engine must say so itself.
      if (closed) throw closed;
      if (!settled) {
        try {
          return await coldStart.recommend(opts);
        } catch (err) {
          if (err instanceof LocalRecError && err.code === 'INVALID_INPUT') throw err;
          // Storage or network trouble on the page: let the worker answer.
        }
      }
      checkRecommendOptions(opts);
      let catalog: CatalogIndex;
      try {
        catalog = await coldStart.catalogIndex();
      } catch {
        return call('recommend', opts); // the page could not read the catalog: the worker ranks
      }
      const { inputs, exclude } = await currentRankInputs();
      return rankWithInputs(inputs, catalog, opts, exclude);
    },
    record: (event) => call('record', event),
    history: () => call('history'),
    learn: (opts) => call('learn', opts),
    explain: (itemId) => call('explain', itemId),
    status: () => call('status'),
    state: async () => {
      const s = await call('state');
      const version = s.version + versionBase;
      lastVersion = Math.max(lastVersion, version);
      return { ...s, version };
    },
    memory: () => call('memory'),
    getSettings: () => call('getSettings'),
    setSettings: (patch) => call('setSettings', patch),
    exportData: () => call('exportData'),
    importData: (bundle) => call('importData', bundle),
    deleteData: () => call('deleteData'),
    resetModel: () => call('resetModel'),
    async dispose() {
      if (closed) return;
      try {
        // A hung or crashed worker must not hang the caller: terminate after a grace period.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise((resolve) => { timer = setTimeout(resolve, DISPOSE_GRACE_MS); });
        await Promise.race([call('dispose'), grace]).finally(() => clearTimeout(timer));
      } finally {
        detach(worker);
        failAll(new LocalRecError('DISPOSED', 'This recommender was disposed. Create a new one.'));
        worker.terminate?.();
      }
    },
  };
}
