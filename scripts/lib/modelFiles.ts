import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel, validateModelJson, WEIGHTS_FILE, type WeightPrecision } from '../../src/engine/model/modelFormat';
import type { SasRec } from '../../src/engine/model/sasrec';
import type { AdamState } from '../../src/engine/train/adam';

/** Writes model.json + weights.bin (+ config.json) into `dir`. */
export async function saveModelFiles(dir: string, model: SasRec, featureNames: string[], precision: WeightPrecision = 'float32'): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { json, weights } = await encodeModel(model, featureNames, precision);
  writeFileSync(join(dir, WEIGHTS_FILE), weights);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json, null, 1));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(json.config, null, 2));
}

export function loadModelFiles(dir: string): { model: SasRec; featureNames: string[] } {
  const jsonPath = join(dir, 'model.json');
  const json = validateModelJson(JSON.parse(readFileSync(jsonPath, 'utf8')), jsonPath);
  const buf = readFileSync(join(dir, WEIGHTS_FILE));
  const model = decodeModel(json, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { model, featureNames: json.featureNames };
}

/** Optimizer moments as one binary file plus an index. */
export function saveOptimizer(dir: string, state: AdamState): void {
  const names = Object.keys(state.m);
  const index = names.map((n) => ({ name: n, size: state.m[n].length }));
  const total = index.reduce((s, e) => s + e.size * 2, 0);
  const buf = new Float32Array(total);
  let off = 0;
  for (const n of names) { buf.set(state.m[n], off); off += state.m[n].length; buf.set(state.v[n], off); off += state.v[n].length; }
  writeFileSync(join(dir, 'optimizer.bin'), new Uint8Array(buf.buffer));
  writeFileSync(join(dir, 'optimizer.json'), JSON.stringify({ step: state.step, index }));
}

export function loadOptimizer(dir: string): AdamState {
  const meta = JSON.parse(readFileSync(join(dir, 'optimizer.json'), 'utf8')) as { step: number; index: { name: string; size: number }[] };
  const raw = readFileSync(join(dir, 'optimizer.bin'));
  const buf = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const m: Record<string, Float32Array> = {};
  const v: Record<string, Float32Array> = {};
  let off = 0;
  for (const e of meta.index) { m[e.name] = buf.slice(off, off + e.size); off += e.size; v[e.name] = buf.slice(off, off + e.size); off += e.size; }
  return { step: meta.step, m, v };
}

/** Replaces `dir` with what `write` puts in a temporary sibling, so a kill never leaves half a checkpoint. */
export async function writeAtomically(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await write(tmp);
  const old = `${dir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}
