/** Body of one data-parallel training worker (see parallelRunner.ts). */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parentPort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './parallelProtocol';
import { LocalRunner } from './trainRunner';

if (!parentPort) throw new Error('trainWorker must run in a worker thread');
const port = parentPort;
let runner: LocalRunner | null = null;

function need(): LocalRunner {
  if (!runner) throw new Error('worker not initialised');
  return runner;
}

async function handle(msg: WorkerRequest): Promise<WorkerReply> {
  switch (msg.type) {
    case 'init':
      await tf.setBackend('wasm');
      await tf.ready();
      runner = new LocalRunner(msg.init);
      return { type: 'ok' };
    case 'grads': {
      const r = await need().gradients(msg.sequences, msg.seed);
      return { type: 'grads', ...r };
    }
    case 'apply':
      need().apply(msg.grads, msg.learningRate);
      return { type: 'ok' };
    case 'rank':
      return { type: 'ranks', ranks: await need().rank(msg.cases) };
    case 'save':
      await need().save(msg.dir, msg.withOptimizer, msg.extra);
      return { type: 'ok' };
    case 'close':
      await need().close();
      return { type: 'ok' };
  }
}

port.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    (reply) => {
      const transfer = reply.type === 'grads' ? Object.values(reply.grads).map((g) => g.buffer as ArrayBuffer) : [];
      port.postMessage(reply, transfer);
    },
    (err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) }),
  );
});
