import * as tf from '@tensorflow/tfjs';
import { customGrad } from '../model/customGrad';
import { gatherRows } from '../model/gatherRows';
import { NEG_INF } from '../model/layers';

/** Rows of logits materialised at once: [CHUNK_ROWS, vocab] floats. */
const CHUNK_ROWS = 2048;
/** Softmax outputs are kept for the backward pass up to this many floats (else recomputed). */
const CACHE_LIMIT = 120_000_000;

function padBiasFor(vocab: number): tf.Tensor2D {
  const b = new Float32Array(vocab);
  b[0] = NEG_INF;
  return tf.tensor2d(b, [1, vocab]);
}

/** Softmax over the catalog for rows [r, r+n). tableT: [d, vocab], pre-transposed (see matmul.ts). */
function chunkProbs(h: tf.Tensor2D, tableT: tf.Tensor2D, padBias: tf.Tensor2D, r: number, n: number): tf.Tensor2D {
  return tf.tidy(() => {
    const hc = tf.slice(h, [r, 0], [n, h.shape[1]]);
    return tf.softmax(tf.add(tf.matMul(hc, tableT), padBias)) as tf.Tensor2D; // [n, vocab]
  });
}

/**
 * Full-catalog softmax cross-entropy fused with the output layer:
 * loss[r] = -log softmax(hidden[r] . table^T)[targets[r]], padding column excluded.
 * Logits live chunk by chunk (the WASM heap is 4 GB; [25600 x 3417] logits alone are 350 MB and
 * autograd would keep several), no one-hot matrix is built, and the native Softmax kernel is
 * used (5x faster than Exp on WASM). hidden: [rows, d]; table: [vocab, d]; targets: [rows].
 */
const fusedOp = customGrad(([hidden, table, targets], save) => {
  const h = hidden as tf.Tensor2D;
  const t = table as tf.Tensor2D;
  const rows = h.shape[0];
  const vocab = t.shape[0];
  const cache = rows * vocab <= CACHE_LIMIT;
  const padBias = padBiasFor(vocab);
  const tT = tf.transpose(t);
  const lossParts: tf.Tensor[] = [];
  const probParts: tf.Tensor2D[] = [];
  for (let r = 0; r < rows; r += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - r);
    const p = chunkProbs(h, tT, padBias, r, n);
    lossParts.push(tf.tidy(() => {
      // p[i, target_i] through a flat gather (gather with batchDims crashes tfjs-wasm 4.22).
      const flatIdx = tf.add(tf.slice(targets, [r], [n]), tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(vocab, 'int32')));
      const pt = tf.gather(tf.reshape(p, [-1]), flatIdx);
      return tf.neg(tf.log(tf.maximum(pt, 1e-30)));
    }));
    if (cache) probParts.push(p);
    else p.dispose();
  }
  padBias.dispose();
  tT.dispose();
  const value = lossParts.length === 1 ? lossParts[0] : tf.concat(lossParts);
  save([h, t, targets, ...probParts]);
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor1D; // [rows]
      const [hs, ts, tg, ...probs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, ...tf.Tensor2D[]];
      const [, d] = ts.shape;
      const bias = padBiasFor(vocab);
      const tsT = tf.transpose(ts);
      const dhParts: tf.Tensor2D[] = [];
      let dTable: tf.Tensor2D = tf.zeros([vocab, d]);
      for (let r = 0, c = 0; r < rows; r += CHUNK_ROWS, c++) {
        const n = Math.min(CHUNK_ROWS, rows - r);
        const [dh, nextTable] = tf.tidy(() => {
          const hc = tf.slice(hs, [r, 0], [n, d]);
          const gc = tf.reshape(tf.slice(g, [r], [n]), [n, 1]);
          // d loss / d logits = (softmax - onehot) * dy; the one-hot part is added below via gathers.
          const p = tf.mul(probs.length ? probs[c] : chunkProbs(hs, tsT, bias, r, n), gc); // [n, vocab]
          // p^T @ hc computed as (hc^T @ p)^T: only small tensors get transposed.
          const dT = tf.transpose(tf.matMul(tf.transpose(hc), p)); // [vocab, d]
          return [tf.matMul(p, ts), tf.add(dTable, dT)] as [tf.Tensor2D, tf.Tensor2D];
        });
        dhParts.push(dh);
        dTable.dispose();
        dTable = nextTable;
      }
      bias.dispose();
      tsT.dispose();
      const gcol = tf.expandDims(g, 1); // [rows, 1]
      const dHidden = tf.sub(dhParts.length === 1 ? dhParts[0] : tf.concat(dhParts), tf.mul(gcol, gatherRows(ts, tg)));
      const dTableFull = tf.sub(dTable, tf.scatterND(tf.expandDims(tg, 1), tf.mul(gcol, hs), [vocab, d]));
      return [dHidden, dTableFull, tf.zerosLike(tg)];
    },
  };
});

/** Per-row full softmax cross-entropy over the catalog: [rows]. */
export function fullSoftmaxLoss(hidden: tf.Tensor2D, table: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  return fusedOp(hidden, table, targets) as tf.Tensor1D;
}
