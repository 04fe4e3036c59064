import type { EvalCase } from '../../src/engine/eval/rankTargets';
import type { RunnerInit } from './trainRunner';

/** Messages from the coordinator to a training worker. */
export type WorkerRequest =
  | { type: 'init'; init: RunnerInit }
  | { type: 'grads'; sequences: Int32Array[]; seed: number }
  | { type: 'apply'; grads: Record<string, Float32Array>; learningRate: number }
  | { type: 'rank'; cases: EvalCase[] }
  | { type: 'save'; dir: string; withOptimizer: boolean; extra?: Record<string, string> }
  | { type: 'close' };

/** Replies from a training worker. */
export type WorkerReply =
  | { type: 'ok' }
  | { type: 'grads'; loss: number; rows: number; grads: Record<string, Float32Array> }
  | { type: 'ranks'; ranks: Int32Array }
  | { type: 'error'; message: string };
