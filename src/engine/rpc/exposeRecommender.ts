import { LocalRecError, serializeError } from '../errors';
import type { ServedRecommender } from '../recommender/rankInputs';
import type { RecommenderOptions } from '../recommender/types';
import type { MessagePortLike, RpcCall, RpcRequest, RpcResponse } from './protocol';

/** Runs one call on the engine. Exhaustive: a new method fails to compile until handled here. */
function dispatch(engine: ServedRecommender, call: RpcCall): Promise<unknown> {
  switch (call.method) {
    case 'catalog': return engine.catalog();
    case 'recommend': return engine.recommend(...call.args);
    case 'rankInputs': return engine.rankInputs();
    case 'record': return engine.record(...call.args);
    case 'history': return engine.history();
    case 'learn': return engine.learn(...call.args);
    case 'explain': return engine.explain(...call.args);
    case 'status': return engine.status();
    case 'state': return engine.state();
    case 'memory': return engine.memory();
    case 'getSettings': return engine.getSettings();
    case 'setSettings': return engine.setSettings(...call.args);
    case 'exportData': return engine.exportData();
    case 'importData': return engine.importData(...call.args);
    case 'deleteData': return engine.deleteData();
    case 'resetModel': return engine.resetModel();
    case 'dispose': return engine.dispose();
    default: {
      const never: never = call;
      throw new LocalRecError('INVALID_INPUT', `Unknown engine method in ${JSON.stringify(never)}.`);
    }
  }
}

/**
 * Serves a Recommender over postMessage (the worker side of `createWorkerRecommender`).
 * The first message must be `init`; progress events are forwarded; errors cross as
 * {name, code, message}. Returns a function that stops listening.
 */
export function exposeRecommender(port: MessagePortLike, create: (options: RecommenderOptions) => ServedRecommender): () => void {
  let engine: ServedRecommender | null = null;
  const post = (m: RpcResponse) => port.postMessage(m);
  const onMessage = (ev: MessageEvent) => {
    const req = ev.data as RpcRequest;
    if (req.kind === 'init') {
      if (engine) return;
      try {
        engine = create({ ...req.options, onProgress: (event) => post({ kind: 'progress', event }) });
        engine.onRankInputs((inputs, version) => post({ kind: 'inputs', inputs, version }));
        engine.ready.then(
          (info) => post({ kind: 'ready', result: { ok: true, value: info } }),
          (err: unknown) => post({ kind: 'ready', result: { ok: false, error: serializeError(err) } }),
        );
      } catch (err) {
        post({ kind: 'ready', result: { ok: false, error: serializeError(err) } });
      }
      return;
    }
    const current = engine;
    const run = current ? dispatch(current, req) : Promise.reject(new LocalRecError('NOT_READY', 'The engine worker was not initialised.'));
    run.then(
      (value) => post({ kind: 'result', id: req.id, result: { ok: true, value } }),
      (err: unknown) => post({ kind: 'result', id: req.id, result: { ok: false, error: serializeError(err) } }),
    );
  };
  port.addEventListener('message', onMessage);
  return () => port.removeEventListener('message', onMessage);
}
