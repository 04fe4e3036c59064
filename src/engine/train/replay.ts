import * as tf from '@tensorflow/tfjs';
import { LocalRecError, ModelLoadError } from '../errors';
import { packSequences, type SasRec } from '../model/sasrec';
import { Rng } from './rng';

/**
 * Replay exemplars shipped with a model (`replay.json`): sequences sampled from the pretrained
 * model itself ("pseudo-rehearsal"), so no real person's history is shipped. Mixed into on-device
 * fine-tuning (`FinetunePolicy.replayWeight`), they keep the model predicting what it predicted
 * for everyone else, which limits forgetting.
 */
export interface ReplayFile {
  format: 'localrec-replay';
  version: 1;
  /** How the sequences were made (for the model card). */
  method: string;
  sequences: number[][];
}

export interface ReplayOptions {
  count: number;
  length: number;
  seed: number;
  /** Sample only among the this-many best next items (0 = the whole catalog). */
  topK: number;
  /** Weights of the first item (index = item id); uniform when omitted. */
  firstItemWeights?: ArrayLike<number>;
}

/** Samples `count` sequences of `length` distinct items, each next item drawn from the model's softmax. */
export async function generateReplay(model: SasRec, o: ReplayOptions): Promise<number[][]> {
  const n = model.config.numItems;
  if (!(Number.isInteger(o.count) && o.count > 0 && Number.isInteger(o.length) && o.length >= 2)) {
    throw new LocalRecError('INVALID_INPUT', `generateReplay: count must be >= 1 and length >= 2 (got ${o.count}, ${o.length}).`);
  }
  const rng = new Rng(o.seed);
  const seqs: number[][] = [];
  for (let s = 0; s < o.count; s++) seqs.push([drawFirst(rng, n, o.firstItemWeights)]);
  for (let step = 1; step < o.length; step++) {
    const scores = tf.tidy(() => model.scoreLast(packSequences(seqs, model.config.maxLen)));
    const all = (await scores.data()) as Float32Array;
    scores.dispose();
    seqs.forEach((seq, r) => {
      const row = all.subarray(r * (n + 1), (r + 1) * (n + 1));
      seq.push(sampleNext(row, new Set(seq), o.topK, rng));
    });
  }
  return seqs;
}

function drawFirst(rng: Rng, n: number, w?: ArrayLike<number>): number {
  if (!w) return rng.int(1, n + 1);
  let total = 0;
  for (let i = 1; i <= n; i++) total += Math.max(0, w[i] ?? 0);
  if (total <= 0) return rng.int(1, n + 1);
  let x = rng.next() * total;
  for (let i = 1; i <= n; i++) {
    x -= Math.max(0, w[i] ?? 0);
    if (x < 0) return i;
  }
  return n;
}

/** Softmax sample among the best `topK` unseen items (all unseen items when topK is 0). */
function sampleNext(row: Float32Array, seen: Set<number>, topK: number, rng: Rng): number {
  let ids: number[] = [];
  for (let i = 1; i < row.length; i++) if (!seen.has(i)) ids.push(i);
  if (topK > 0 && ids.length > topK) ids = ids.sort((a, b) => row[b] - row[a]).slice(0, topK);
  const max = Math.max(...ids.map((i) => row[i]));
  const p = ids.map((i) => Math.exp(row[i] - max));
  let x = rng.next() * p.reduce((a, b) => a + b, 0);
  for (let k = 0; k < ids.length; k++) {
    x -= p[k];
    if (x < 0) return ids[k];
  }
  return ids[ids.length - 1];
}

/** Checks a parsed replay.json against the model's item count; throws MODEL_FORMAT naming the problem. */
export function validateReplay(raw: unknown, numItems: number, source = 'replay.json'): number[][] {
  const fail = (why: string): never => {
    throw new ModelLoadError('MODEL_FORMAT', `${source}: ${why}. Regenerate it with npm run make:replay -- --model <dir>.`);
  };
  const r = raw as Partial<ReplayFile> | null;
  if (typeof r !== 'object' || r === null || r.format !== 'localrec-replay') fail('"format" must be "localrec-replay"');
  if (r?.version !== 1) fail(`unsupported version ${JSON.stringify(r?.version)}`);
  if (!Array.isArray(r?.sequences)) fail('"sequences" must be an array');
  return (r?.sequences ?? []).map((s, i) => {
    if (!Array.isArray(s) || s.some((x) => !Number.isInteger(x) || x < 1 || x > numItems)) fail(`sequences[${i}] must hold item ids 1..${numItems}`);
    return s;
  });
}
