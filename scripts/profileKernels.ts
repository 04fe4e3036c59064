import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { parseSasLines } from '../src/engine/data/sasLines';
import { resolveConfig } from '../src/engine/model/config';
import { SasRec } from '../src/engine/model/sasrec';
import { Adam } from '../src/engine/train/adam';
import { nextItemBatch } from '../src/engine/train/batches';
import { Rng } from '../src/engine/train/rng';
import { trainStep } from '../src/engine/train/trainStep';

const len = Number(process.argv[2] ?? 200);
const dropout = Number(process.argv[3] ?? 0.2);
await tf.setBackend('wasm');
const ds = parseSasLines(readFileSync('../shared/datasets/ml-1m/ml-1m_sas.txt', 'utf8'), 'ml-1m');
const cfg = resolveConfig({ numItems: ds.numItems, dropout });
const model = SasRec.create(cfg, 1);
const opt = new Adam(model.weights);
const rng = new Rng(1);
const seqs = ds.sequences.filter((s) => s.length > len + 3).slice(0, 128).map((s) => s.subarray(s.length - len - 1));
const batch = nextItemBatch(seqs, cfg.maxLen);
await trainStep(model, opt, batch, { kind: 'ce' }, 1e-3, rng);
const t0 = performance.now();
const info = await tf.profile(async () => { await trainStep(model, opt, batch, { kind: 'ce' }, 1e-3, rng); });
const wall = performance.now() - t0;
const agg = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const a = agg.get(k.name) ?? { ms: 0, n: 0 };
  a.ms += Number(k.kernelTimeMs); a.n += 1; agg.set(k.name, a);
}
const rows = [...agg].sort((a, b) => b[1].ms - a[1].ms);
let total = 0; for (const [, a] of rows) total += a.ms;
console.log(`wall ${wall.toFixed(0)} ms, kernels total ${total.toFixed(0)} ms`);
const mm = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) if (k.name === 'BatchMatMul') { const key = JSON.stringify(k.inputShapes); const a = mm.get(key) ?? { ms: 0, n: 0 }; a.ms += Number(k.kernelTimeMs); a.n++; mm.set(key, a); }
for (const [k, a] of [...mm].sort((x, y) => y[1].ms - x[1].ms)) console.log('MM', k, a.ms.toFixed(0), a.n);
for (const [n, a] of rows.slice(0, 25)) console.log(n.padEnd(24), a.ms.toFixed(0).padStart(7), 'ms', String(a.n).padStart(5));
