import * as tf from '@tensorflow/tfjs';
import { yieldToEventLoop } from '../runtime/yieldToEventLoop';
import { Adam, type AdamState } from './adam';
import { finetuneData } from './finetuneData';
import type { FinetuneObjective, ObjectiveInput } from './finetuneObjective';
import { changedWeightNames, finetuneParams, type FinetuneParams } from './finetuneParams';
import type { FinetuneInput, FinetuneResult } from './finetuneTypes';
import { fullObjective } from './fullObjective';
import { sampledObjective } from './sampledObjective';
import { sampledRows } from './sampledRows';
import { readScalar, sumAll } from './scalars';
import { softmaxFor } from './softmaxChoice';

export { DISLIKE_TOP_K } from './finetuneObjective';
export type { FinetuneHistory, FinetuneInput, FinetuneResult } from './finetuneTypes';

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
 * last good weights (all the way back to the starting weights if none was good). With
 * `onImproved`, step `firstValidation` is also measured, only to serve its weights early.
 *
 * What trains (`FinetuneParams`): the model's weights, or a per-person adapter over the
 * pretrained ones (`policy.adapter`). The loss (`FinetuneObjective`, `policy.softmax` via
 * `softmaxFor`): a softmax over the whole catalog (fullObjective.ts), or on large catalogs over
 * negatives sampled per step and shared by every position, log-Q corrected (sampledObjective.ts);
 * then only the run's item rows are read and, for the weight mechanism, trained, and
 * `optimizerState.rows` holds the item_emb moments by row. A history longer than the window
 * trains in window sets, one per step in turn (`policy.maxWindows`, finetuneData.ts).
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
  const softmax = softmaxFor(policy, cfg.numItems);
  const skip = (reason: string, drift = 0): FinetuneResult => ({
    steps: 0, ran: 0, accepted: false, reset: false, reason, valBefore: null, valAfter: null, valPretrained: null, drift, replayKl: null, guardStopped: false,
    optimizerState: input.optimizerState ?? null, trainable: names, adapter: input.adapter ?? null, softmax,
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
  const data = finetuneData(cfg, { seq, weights: wts, disliked: history.disliked, k, policy, replay: input.replay ?? [] });
  // Sampled softmax: the run's item rows and each step's negatives, chosen first (the parameters
  // train the rows, the objective reads them). An adapter leaves item_emb alone: the rows are then
  // only a local table.
  const sample = softmax === 'sampled'
    ? await sampledRows(model, pretrained, {
      data, steps: policy.steps, sampledNegatives: policy.sampledNegatives, trains: names.includes('item_emb'),
      seed: (seq.length * 2654435761 + cfg.numItems) >>> 0, state: input.optimizerState ?? null,
    })
    : null;
  let tp: FinetuneParams;
  try {
    tp = await finetuneParams(model, pretrained, policy, input.adapter ?? null, sample?.rows ?? null);
  } catch (e) {
    sample?.rows.dispose();
    throw e;
  }
  const objectiveInput: ObjectiveInput = { model, policy, data, params: () => tp.params(), teachers: input.teachers ?? null };
  const objective: FinetuneObjective = sample ? sampledObjective(objectiveInput, sample) : fullObjective(objectiveInput);
  const vars = tp.vars;

  const lossFn = (step: number) => (): tf.Scalar => {
    let total: tf.Tensor = objective.dataLoss(step);
    if (policy.l2ToPretrained > 0) total = tf.add(total, tf.mul(tp.deltaSq(), policy.l2ToPretrained));
    return total as tf.Scalar;
  };

  const snapshot = () => new Map([...vars].map(([n, v]) => [n, tf.clone(v)]));
  const restore = (snap: Map<string, tf.Tensor>) => { for (const [n, t] of snap) (vars.get(n) as tf.Variable).assign(t); };
  const disposeSnap = (snap: Map<string, tf.Tensor>) => { for (const t of snap.values()) t.dispose(); };

  const adam = new Adam(vars, { clipNorm: 0 });
  // Stored moments in the run's layout (item_emb moments by rows, see `toRun`). Moments of other
  // parameters (an adapter of another kind or rank, a mechanism switch) do not carry over: the
  // run starts them afresh.
  const startState = input.optimizerState ? objective.toRun(input.optimizerState) : null;
  if (startState && stateFits(startState, vars)) adam.setState(startState);
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
    const valBefore = await objective.valLoss();
    valAfter = valBefore;
    // The bar is the better of the current and the pretrained weights, so repeated runs cannot
    // each lose a little and add up to a large loss (continual learning must not degrade).
    await yieldToEventLoop();
    tp.toPretrained();
    valPretrained = await objective.valLoss();
    objective.prepareTeachers();
    restore(initial);
    const limit = Math.min(valBefore, valPretrained) + policy.tolerance;
    for (let step = 1; step <= policy.steps; step++) {
      // A macrotask between steps: `await data()` alone resolves as a microtask on WASM/CPU, and
      // the worker would not answer a re-rank until the whole run ended.
      await yieldToEventLoop();
      if (input.signal?.aborted) { stopReason = 'aborted'; good !== initial && disposeSnap(good); good = initial; goodSteps = 0; break; }
      const { value, grads } = tf.variableGrads(lossFn(step), [...vars.values()]);
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
      const regular = step % policy.validateEvery === 0 || step === policy.steps;
      if (!regular && step === policy.firstValidation && input.onImproved) {
        // An early look, not a decision: weights that pass it are served at once, but keeping,
        // stopping and rolling back follow the regular validations only, so a run ends exactly
        // as it would without this look (eval:ondevice measures the same final weights).
        await yieldToEventLoop();
        if (await objective.valLoss() <= limit && (!data.guard || await objective.replayKl() <= policy.maxReplayKl)) {
          const now = snapshot();
          const weights = tp.effective(now);
          try {
            await input.onImproved(step, weights);
          } finally {
            disposeSnap(weights);
            disposeSnap(now);
          }
        }
      }
      if (regular) {
        await yieldToEventLoop();
        const v = await objective.valLoss();
        if (v > limit) {
          stopReason = `held-out item got worse at step ${step} (${valBefore.toFixed(3)} -> ${v.toFixed(3)}, limit ${limit.toFixed(3)}); kept step ${goodSteps}`;
          break;
        }
        const kl = await objective.replayKl();
        if (data.guard && kl > policy.maxReplayKl) {
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
          // The model weights these values give (an adapter merged over the pretrained ones, the
          // run's item rows written over the whole table).
          const weights = tp.effective(good);
          try {
            await input.onImproved(step, weights);
          } finally {
            disposeSnap(weights);
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
    // The model takes what the run kept: pretrained + the kept adapter, or the trained item rows
    // (a rolled-back run leaves the model as it was).
    const accepted = goodSteps > 0 || reset;
    if (accepted) tp.commit();
    await yieldToEventLoop();
    const optimizerState = reset ? null : accepted ? objective.toStored(await adam.getState()) : input.optimizerState ?? null;
    const reason = reset
      ? `reset to the pretrained weights: they beat the current ones on the newest items (${valBefore.toFixed(3)} vs ${valPretrained.toFixed(3)}) and no step helped`
      : accepted
        ? stopReason || `trained ${goodSteps} steps; held-out loss ${valBefore.toFixed(3)} -> ${(valAfter ?? valBefore).toFixed(3)}`
        : `rolled back: ${stopReason || 'no step improved the held-out item'}`;
    const after = reset ? valPretrained : accepted ? valAfter : valBefore;
    const replayKlKept = data.guard ? (reset ? 0 : goodSteps > 0 ? keptKl : await objective.replayKl()) : null;
    const adapter = policy.adapter === 'none' || reset ? null : accepted ? await tp.read() : input.adapter ?? null;
    return { steps: goodSteps, ran, accepted, reset, reason, valBefore, valAfter: after, valPretrained, drift, optimizerState, trainable: names, adapter, replayKl: replayKlKept, guardStopped, softmax };
  } finally {
    adam.dispose();
    if (good !== initial) disposeSnap(good);
    disposeSnap(initial);
    objective.dispose();
    tp.dispose();
    sample?.rows.dispose();
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
