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
import type { LossKind } from '../src/engine/train/losses';

const backend = process.argv[2] ?? 'wasm';
const kind = (process.argv[3] ?? 'ce') as LossKind;
const len = Number(process.argv[4] ?? 200);
await tf.setBackend(backend);
await tf.ready();
const ds = parseSasLines(readFileSync('../shared/datasets/ml-1m/ml-1m_sas.txt', 'utf8'), 'ml-1m');
const cfg = resolveConfig({ numItems: ds.numItems });
const model = SasRec.create(cfg, 1);
const opt = new Adam(model.weights);
const rng = new Rng(1);
const seqs = ds.sequences.filter((s) => s.length > len + 3).slice(0, 128).map((s) => s.subarray(s.length - len - 1));
const batch = nextItemBatch(seqs, cfg.maxLen);
console.log('backend', tf.getBackend(), 'rows', batch.targets.length, 'len', batch.len);
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const loss = await trainStep(model, opt, batch, { kind, numNegatives: 256 }, 1e-3, rng);
  console.log(`step ${i} loss ${loss.toFixed(4)} ${(performance.now() - t0).toFixed(0)} ms, tensors ${tf.memory().numTensors}`);
}
