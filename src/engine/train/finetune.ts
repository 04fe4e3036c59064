import * as tf from '@tensorflow/tfjs';
import { gatherRows } from '../model/gatherRows';
import { matmul } from '../model/matmul';
import type { SasRec } from '../model/sasrec';
import { yieldToEventLoop } from '../runtime/yieldToEventLoop';
import { Adam, type AdamState } from './adam';
import type { FinetunePolicy } from './finetunePolicy';
import { changedWeightNames, finetuneParams, type FinetuneParams } from './finetuneParams';
import { finetuneData } from './finetuneData';
import type { FinetuneInput, FinetuneResult } from './finetuneTypes';
import { logSumExpRows } from './logSumExpRows';

export type { FinetuneHistory, FinetuneInput, FinetuneResult } from './finetuneTypes';

/** The dislike term pushes while a disliked item is within about this many top items. */
export const DISLIKE_TOP_K = 100;

/** Reads a scalar and disposes it, also when the read fails (reads reject once a GPU device is lost). */
async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

/** Sums a list of tensors pairwise (WebGPU addN with more than 8 inputs returns zeros). */
function sumAll(ts: tf.Tensor[]): tf.Tensor {
  let acc = ts[0];
  for (let i = 1; i < ts.length; i++) acc = tf.add(acc, ts[i]);
  return acc;
}

/**
 * Fine-tunes a pretrained model on one person's history. The single implementation used by the
 * app's worker and by the Node evaluation CLI.
 *
 * Loss = weighted next-item cross-entropy over the person's sequence, plus cross-entropy toward
 * the pretrained model's predictions on `replayRows` replay exemplars (distillation)
 * + dislikeWeight * mean log(1 + K p(disliked)) over every position of the whole sequence
 *   (K = DISLIKE_TOP_K: pushes hard while a disliked item is near the top K, then fades)
 * + l2ToPretrained * ||w - w0||^2 over the trainable subset. After each step the relative drift
 * from the pretrained weights is capped. The newest positive item is held out: every
 * `validateEvery` steps its cross-entropy is measured; when it gets worse than the better of the
 * starting and the pretrained weights by more than `tolerance`, training stops and returns to the
 * last good weights (all the way back to the starting weights if none was good).
 *
 * @example
 * const view = interpretEvents(events);
 * const r = await finetune({ model, pretrained, history: view, policy: DEFAULT_FINETUNE_POLICY });
 * if (r.accepted) saveCheckpoint(model, r.optimizerState);
 */
export async function finetune(input: FinetuneInput): Promise<FinetuneResult> {
  const { model, pretrained, history, policy } = input;
  const cfg = model.config;
  const names = changedWeightNames(model, policy);
  const skip = (reason: string, drift = 0): FinetuneResult => ({
    steps: 0, ran: 0, accepted: false, reset: false, reason, valBefore: null, valAfter: null, valPretrained: null, drift, replayKl: null, guardStopped: false,
    optimizerState: input.optimizerState ?? null, trainable: names, adapter: input.adapter ?? null,
  });
  for (const n of names) {
    if (!pretrained.has(n)) throw new Error(`finetune: pretrained weight "${n}" missing`);
  }
  const seq = history.sequence.slice(-policy.maxSequence);
  const wts = history.weights.slice(-policy.maxSequence);
  if (seq.length < policy.minHistory) {
    return skip(`needs at least ${policy.minHistory} liked or viewed items (has ${seq.length})`);
  }
  if (policy.steps === 0) return skip('policy.steps is 0 (inference only)');

  // The newest k positives are held out for validation (k = validationItems, at most a third of the history).
  const k = Math.max(1, Math.min(policy.validationItems, Math.floor(seq.length / 3)));
  const vocab = cfg.numItems + 1;
  const tp: FinetuneParams = await finetuneParams(model, pretrained, policy, input.adapter ?? null);
  const vars = tp.vars;

  const data = finetuneData(cfg, { seq, weights: wts, disliked: history.disliked, k, policy, replay: input.replay ?? [] });
  const { parts: partTensors, guard, pick: pickT, userPos: userPosT, fullSeq: fullSeqT, fullLen, padBias, valSeq: valSeqT, valMask: valMaskT, valTarget: valTargetT } = data;
  /** Step s trains on the person's window set (s - 1) mod windowSets, and the replay rows. */
  let step = 1;
  const active = <T extends { set: number }>(ps: T[]): T[] => ps.filter((p) => p.set < 0 || p.set === (step - 1) % data.windowSets);

  /** Logits [rows, vocab] of hidden states [rows, d] (matmul.ts: fast on WASM forward and backward). */
  const logitsOf = (h: tf.Tensor2D, table: tf.Tensor2D) => tf.add(matmul(h, table, false, true), padBias) as tf.Tensor2D;

  const partLogits = (p: { seqs: tf.Tensor2D; pos: tf.Tensor1D; rows: number; len: number }, table: tf.Tensor2D): tf.Tensor2D => {
    const h = model.encode(table, p.seqs, { training: false, params: tp.params() ?? undefined }); // [rows, len, d]
    const flat = tf.reshape(h, [p.rows * p.len, cfg.dim]) as tf.Tensor2D;
    return logitsOf(gatherRows(flat, p.pos), table);
  };

  /** Mean KL(pretrained || current) over the guard rows' positions, in nats. */
  const replayKl = async (): Promise<number> => {
    if (!guard?.teacherLog) return 0;
    const teacherLog = guard.teacherLog;
    const v = tf.tidy(() => {
      const logQ = tf.logSoftmax(partLogits(guard, model.itemTable()));
      return tf.mean(tf.sum(tf.mul(tf.exp(teacherLog), tf.sub(teacherLog, logQ)), 1));
    });
    return readScalar(v);
  };

  const lossFn = (): tf.Scalar => {
    const table = model.itemTable();
    let total: tf.Tensor = tf.scalar(0);
    const now = active(partTensors);
    const weightSum = now.reduce((a, p) => a + p.weightSum, 0);
    if (weightSum > 0) {
      const sums = now.map((p) => {
        const logits = partLogits(p, table); // [targets, vocab]
        const target = p.teacher ?? tf.oneHot(p.targets, vocab);
        const ce = tf.sub(logSumExpRows(logits), tf.sum(tf.mul(logits, target), 1));
        return tf.sum(tf.mul(ce, p.weights));
      });
      total = tf.div(sumAll(sums), weightSum);
    }
    // Dislike term, read at every position of the whole sequence (the newest item included as
    // context: the feed ranks from there; it is never a target): softplus(log p(disliked) + log K)
    // = log(1 + K p), a strong push while a disliked item is within about the top K of the ranking
    // that fades once it is out of the way (the old -log(1 - p) had a gradient of only ~p).
    if (data.hasDislikes) {
      const hFull = tf.reshape(model.encode(table, fullSeqT, { training: false, params: tp.params() ?? undefined }), [fullLen, cfg.dim]) as tf.Tensor2D;
      const logits = logitsOf(gatherRows(hFull, userPosT), table); // [positions, vocab]
      // matmul with a 0/1 pick matrix, not a gather on axis 1 (its gradient needs
      // UnsortedSegmentSum, which WASM lacks).
      const logP = tf.sub(matmul(logits, pickT), tf.expandDims(logSumExpRows(logits), 1)); // [positions, disliked]
      total = tf.add(total, tf.mul(tf.mean(tf.softplus(tf.add(logP, Math.log(DISLIKE_TOP_K)))), policy.dislikeWeight));
    }
    if (policy.l2ToPretrained > 0) {
      total = tf.add(total, tf.mul(tp.deltaSq(), policy.l2ToPretrained));
    }
    return total as tf.Scalar;
  };

  const valLoss = async (): Promise<number> => {
    const v = tf.tidy(() => {
      const logits = tf.add(model.scoreLast(valSeqT, undefined, tp.params() ?? undefined), valMaskT); // [k, vocab]
      return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(logits, valTargetT), 1)));
    });
    return readScalar(v);
  };

  const snapshot = () => new Map([...vars].map(([n, v]) => [n, tf.clone(v)]));
  const restore = (snap: Map<string, tf.Tensor>) => { for (const [n, t] of snap) (vars.get(n) as tf.Variable).assign(t); };
  const disposeSnap = (snap: Map<string, tf.Tensor>) => { for (const t of snap.values()) t.dispose(); };

  const adam = new Adam(vars, { clipNorm: 0 });
  // Moments of other parameters (an adapter of another kind or rank, a mechanism switch) do not
  // carry over: the run starts them afresh.
  if (input.optimizerState && stateFits(input.optimizerState, vars)) adam.setState(input.optimizerState);
  const initial = snapshot();
  let good = initial;
  let goodSteps = 0;
  let ran = 0;
  let drift = 0;
  let valAfter: number | null = null;
  let valPretrained: number | null = null;
  let stopReason = '';
  let guardStopped = false;
  let keptKl = 0;
  try {
    const valBefore = await valLoss();
    valAfter = valBefore;
    // The bar is the better of the current and the pretrained weights, so repeated runs cannot
    // each lose a little and add up to a large loss (continual learning must not degrade).
    await yieldToEventLoop();
    tp.toPretrained();
    valPretrained = await valLoss();
    for (const p of partTensors) {
      if (p.distill) p.teacher = tf.tidy(() => tf.softmax(partLogits(p, model.itemTable())) as tf.Tensor2D);
    }
    if (guard) guard.teacherLog = tf.tidy(() => tf.logSoftmax(partLogits(guard, model.itemTable())) as tf.Tensor2D);
    restore(initial);
    const limit = Math.min(valBefore, valPretrained) + policy.tolerance;
    for (step = 1; step <= policy.steps; step++) {
      // A macrotask between steps: `await data()` alone resolves as a microtask on WASM/CPU, and
      // the worker would not answer a re-rank until the whole run ended.
      await yieldToEventLoop();
      if (input.signal?.aborted) { stopReason = 'aborted'; good !== initial && disposeSnap(good); good = initial; goodSteps = 0; break; }
      const { value, grads } = tf.variableGrads(lossFn, [...vars.values()]);
      const byName = new Map<string, tf.Tensor>();
      for (const [n, v] of vars) { const g = grads[v.name]; if (g) byName.set(n, g); }
      if (policy.clipNorm > 0) {
        const scale = tf.tidy(() => {
          const norm = tf.sqrt(sumAll([...byName.values()].map((g) => tf.sum(tf.square(g)))));
          return tf.minimum(1, tf.div(policy.clipNorm, tf.maximum(norm, 1e-12)));
        });
        for (const [n, g] of byName) { byName.set(n, tf.mul(g, scale)); g.dispose(); }
        scale.dispose();
      }
      adam.apply(byName, policy.learningRate);
      for (const g of byName.values()) g.dispose();
      const loss = await readScalar(value);
      ran = step;
      drift = await capDrift(tp, policy.maxDrift);
      input.onStep?.(step, policy.steps, loss);
      if (step % policy.validateEvery === 0 || step === policy.steps) {
        await yieldToEventLoop();
        const v = await valLoss();
        if (v > limit) {
          stopReason = `held-out item got worse at step ${step} (${valBefore.toFixed(3)} -> ${v.toFixed(3)}, limit ${limit.toFixed(3)}); kept step ${goodSteps}`;
          break;
        }
        const kl = await replayKl();
        if (guard && kl > policy.maxReplayKl) {
          stopReason = `other people's predictions moved too far at step ${step} (KL ${kl.toFixed(4)} > ${policy.maxReplayKl}); kept step ${goodSteps}`;
          guardStopped = true;
          break;
        }
        keptKl = kl;
        if (good !== initial) disposeSnap(good);
        good = snapshot();
        goodSteps = step;
        valAfter = v;
        if (input.onImproved) {
          // The model weights these values give (an adapter merged over the pretrained ones).
          const weights = tp.effective(good);
          try {
            await input.onImproved(step, weights);
          } finally {
            for (const t of weights.values()) t.dispose();
          }
        }
      }
    }
    await yieldToEventLoop();
    restore(good);
    // Safeguard over time: when nothing was kept and the weights we started from (an earlier
    // checkpoint) are worse than the pretrained ones on the newest items by more than the
    // tolerance, go back to the pretrained weights.
    const reset = goodSteps === 0 && valPretrained < valBefore - policy.tolerance;
    if (reset) tp.toPretrained();
    drift = await capDrift(tp, 0);
    // Adapters: the model's adapted weights become pretrained + the kept adapter (a rolled-back
    // run leaves the model as it was).
    if (goodSteps > 0 || reset) tp.commit();
    await yieldToEventLoop();
    const accepted = goodSteps > 0 || reset;
    const optimizerState = reset ? null : accepted ? await adam.getState() : input.optimizerState ?? null;
    const reason = reset
      ? `reset to the pretrained weights: they beat the current ones on the newest items (${valBefore.toFixed(3)} vs ${valPretrained.toFixed(3)}) and no step helped`
      : accepted
        ? stopReason || `trained ${goodSteps} steps; held-out loss ${valBefore.toFixed(3)} -> ${(valAfter ?? valBefore).toFixed(3)}`
        : `rolled back: ${stopReason || 'no step improved the held-out item'}`;
    const after = reset ? valPretrained : accepted ? valAfter : valBefore;
    const replayKlKept = guard ? (reset ? 0 : goodSteps > 0 ? keptKl : await replayKl()) : null;
    const adapter = policy.adapter === 'none' || reset ? null : accepted ? await tp.read() : input.adapter ?? null;
    return { steps: goodSteps, ran, accepted, reset, reason, valBefore, valAfter: after, valPretrained, drift, optimizerState, trainable: names, adapter, replayKl: replayKlKept, guardStopped };
  } finally {
    adam.dispose();
    tp.dispose();
    if (good !== initial) disposeSnap(good);
    disposeSnap(initial);
    data.dispose();
  }
}

/**
 * Pulls the trained parameters back toward the pretrained weights so ||w - w0|| <= maxDrift *
 * ||w0|| (effective weights, adapters included), and returns the relative drift after it
 * (maxDrift 0 = measure only).
 */
async function capDrift(tp: FinetuneParams, maxDrift: number): Promise<number> {
  const dist = Math.sqrt(await readScalar(tf.tidy(() => tp.deltaSq())));
  const drift = tp.anchorNorm > 0 ? dist / tp.anchorNorm : dist;
  if (maxDrift > 0 && drift > maxDrift) {
    tp.scaleDelta(maxDrift / drift);
    return maxDrift;
  }
  return drift;
}

/** Whether stored Adam moments belong to exactly these variables (names and sizes). */
function stateFits(state: AdamState, vars: ReadonlyMap<string, tf.Variable>): boolean {
  const names = Object.keys(state.m);
  return names.length === vars.size && names.every((n) => {
    const v = vars.get(n);
    return v !== undefined && state.m[n].length === v.size && state.v[n]?.length === v.size;
  });
}
