import * as tf from '@tensorflow/tfjs';
import { NEG_INF } from '../model/layers';
import type { SasRec } from '../model/sasrec';
import { yieldToEventLoop } from '../runtime/yieldToEventLoop';
import { Adam, type AdamState } from './adam';
import type { ObjectiveInput } from './finetuneObjective';
import { capDrift, nextItemPart, packRows, readScalar, sumAll } from './finetuneParts';
import { trainableNames, type FinetunePolicy } from './finetunePolicy';
import { fullObjective } from './fullObjective';
import { changedRowIds } from './rowTraining';
import { sampledObjective } from './sampledObjective';
import { softmaxFor } from './softmaxChoice';

/** One person's signal, as `interpretEvents` gives it. */
export interface FinetuneHistory {
  /** Positive items, oldest first (the newest one is held out for validation). */
  sequence: readonly number[];
  /** Target weight of each `sequence` item (see SIGNALS.trainWeight). */
  weights: readonly number[];
  /** Explicit negatives. */
  disliked: readonly number[];
}

export interface FinetuneInput {
  /** Updated in place; left unchanged when the run is rolled back. */
  model: SasRec;
  /** The pretrained weights (at least every trainable one): the anchor of regularization and drift. */
  pretrained: ReadonlyMap<string, tf.Tensor>;
  history: FinetuneHistory;
  policy: FinetunePolicy;
  /** Optimizer moments from the previous run (continual learning), or null. */
  optimizerState?: AdamState | null;
  /** Exemplar sequences of other people mixed in (replay against forgetting). */
  replay?: readonly (readonly number[])[];
  onStep?: (step: number, of: number, loss: number) => void;
  /**
   * Called when a validation passed: `weights` (trainable names) are what the run keeps if it
   * stopped now, so a caller may serve them at once (the run ends accepted with these or later,
   * better-validated weights). Valid only during the call: clone or assign, do not dispose.
   */
  onImproved?: (step: number, weights: ReadonlyMap<string, tf.Tensor>) => Promise<void> | void;
  /** Checked between steps; an aborted run is rolled back. */
  signal?: AbortSignal;
}

export interface FinetuneResult {
  /** Steps whose weights were kept (0 when rolled back or skipped). */
  steps: number;
  /** Steps actually run. */
  ran: number;
  /** The weights changed and should be stored (trained steps kept, or a reset). */
  accepted: boolean;
  /** Nothing was kept and the weights went back to the pretrained ones (see `finetune`). */
  reset: boolean;
  reason: string;
  /**
   * Cross-entropy of the held-out most recent item before and after (null when skipped), over the
   * items the feed could show (context and disliked items excluded, as in ranking).
   */
  valBefore: number | null;
  valAfter: number | null;
  /** The same loss under the pretrained weights (the bar is min(valBefore, valPretrained) + tolerance). */
  valPretrained: number | null;
  /** ||w - w0|| / ||w0|| over the trainable parameters after the run. */
  drift: number;
  /** Optimizer state to store with the checkpoint (the input state when rolled back). */
  optimizerState: AdamState | null;
  /** Names of the parameters that may differ from the pretrained model. */
  trainable: string[];
  /**
   * Forgetting guard (policy.maxReplayKl > 0 with spare exemplars): KL from the pretrained to the
   * kept weights' predictions on the guard exemplars (nats per position), and whether the guard
   * ended the run. null / false when the guard was off.
   */
  replayKl: number | null;
  guardStopped: boolean;
  /** The softmax the run used ('sampled' on large catalogs, see `softmaxFor`). */
  softmax: 'full' | 'sampled';
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
 * The softmax (`policy.softmax`, `softmaxFor`): over the whole catalog (fullObjective.ts), or on
 * large catalogs over negatives sampled per step and shared by every position, log-Q corrected,
 * with only the run's item rows trained (sampledObjective.ts); then `optimizerState.rows` holds
 * the item_emb moments by row, and no step forms a [positions, items] logits tensor.
 *
 * @example
 * const view = interpretEvents(events);
 * const r = await finetune({ model, pretrained, history: view, policy: DEFAULT_FINETUNE_POLICY });
 * if (r.accepted) saveCheckpoint(model, r.optimizerState);
 */
export async function finetune(input: FinetuneInput): Promise<FinetuneResult> {
  const { model, pretrained, history, policy } = input;
  const cfg = model.config;
  const names = trainableNames(model.weights.keys(), policy.trainable, cfg.blocks);
  const skip = (reason: string, drift = 0): FinetuneResult => ({
    steps: 0, ran: 0, accepted: false, reset: false, reason, valBefore: null, valAfter: null, valPretrained: null, drift, replayKl: null, guardStopped: false,
    softmax: softmaxFor(policy, cfg.numItems), optimizerState: input.optimizerState ?? null, trainable: names,
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
  const heldOut = seq.slice(-k);
  const trainSeq = seq.slice(0, -k);
  const trainW = wts.slice(0, -k);
  const vocab = cfg.numItems + 1;
  const softmax = softmaxFor(policy, cfg.numItems);

  // Two parts, each packed to its own length: the person's training sequence, and `replayRows`
  // replay exemplars (a different window of them each run, chosen by the history length).
  const pool = (input.replay ?? []).filter((r) => r.length >= 2);
  const take = Math.min(policy.replayRows, pool.length);
  const replay = Array.from({ length: take }, (_, i) => pool[(seq.length * 7 + i) % pool.length]);
  // The forgetting guard reads the next exemplars of the pool, which this run does not train on.
  const guardTake = policy.maxReplayKl > 0 ? Math.min(policy.replayRows, pool.length - take) : 0;
  const guardRows = Array.from({ length: guardTake }, (_, i) => pool[(seq.length * 7 + take + i) % pool.length]);
  // Replay rows are distilled: their targets are the pretrained model's next-item distribution
  // (computed once per run), not the sampled next items, so they pull the model back toward
  // what it predicted for everyone else without adding sampling noise.
  const parts = [
    { part: nextItemPart([trainSeq], cfg.maxLen, (_row, j) => trainW[j]), distill: false },
    { part: nextItemPart(replay, cfg.maxLen, () => policy.replayWeight), distill: true },
  ].filter((p) => p.part.targets.length > 0);
  const weightSum = parts.reduce((a, p) => a + p.part.weights.reduce((x, y) => x + y, 0), 0);
  // Dislike term, read at every position of the whole sequence (the newest item included as
  // context: the feed ranks from there; it is never a target): softplus(log p(disliked) + log K)
  // = log(1 + K p), a strong push while a disliked item is within about the top K of the ranking
  // that fades once it is out of the way (the old -log(1 - p) had a gradient of only ~p).
  const full = packRows([seq], cfg.maxLen);
  const userPositions: number[] = [];
  for (let j = 0; j < Math.min(seq.length, full.len); j++) userPositions.push(full.len - 1 - j);
  // Validation ranks like the feed: each held-out item after the items before it, with those
  // items and disliked items out of the ranking.
  const valPrefixes = heldOut.map((_, j) => seq.slice(0, seq.length - k + j));
  const valMask = new Float32Array(k * vocab);
  valPrefixes.forEach((prefix, j) => {
    for (const i of [...prefix, ...history.disliked]) if (i > 0 && i < vocab && i !== heldOut[j]) valMask[j * vocab + i] = NEG_INF;
  });
  const objectiveInput: ObjectiveInput = {
    model, policy, names, pretrained, parts, weightSum,
    guard: guardRows.length > 0 ? nextItemPart(guardRows, cfg.maxLen, () => 1) : null,
    full, userPositions: Int32Array.from(userPositions),
    disliked: [...new Set(history.disliked)].filter((d) => d > 0 && d < vocab),
    val: { seqs: packRows(valPrefixes, cfg.maxLen), heldOut, mask: valMask },
    seed: (seq.length * 2654435761 + cfg.numItems) >>> 0,
  };
  // Sampled: the rows earlier runs changed (and whose moments are stored) stay in the run's rows.
  const objective = softmax === 'sampled'
    ? await sampledObjective(objectiveInput, await rowsToKeep(model, pretrained, names, input.optimizerState ?? null))
    : fullObjective(objectiveInput);
  const { vars, anchor } = objective;
  // The relative drift is measured against the whole pretrained parameters (rows outside the run are unchanged).
  const anchorNorm = Math.sqrt(await readScalar(tf.tidy(() => sumAll(names.map((n) => tf.sum(tf.square(pretrained.get(n) as tf.Tensor)))))));
  const anchorList = names.map((n) => anchor.get(n) as tf.Tensor);

  const lossFn = (step: number) => (): tf.Scalar => {
    let total: tf.Tensor = objective.dataLoss(step);
    if (policy.l2ToPretrained > 0) {
      const l2 = sumAll(names.map((n, i) => tf.sum(tf.square(tf.sub(vars.get(n) as tf.Variable, anchorList[i])))));
      total = tf.add(total, tf.mul(l2, policy.l2ToPretrained));
    }
    return total as tf.Scalar;
  };

  const snapshot = () => new Map(names.map((n) => [n, tf.clone(vars.get(n) as tf.Variable)]));
  const restore = (snap: ReadonlyMap<string, tf.Tensor>) => { for (const [n, t] of snap) (vars.get(n) as tf.Variable).assign(t); };
  const disposeSnap = (snap: Map<string, tf.Tensor>) => { for (const t of snap.values()) t.dispose(); };

  const adam = new Adam(vars, { clipNorm: 0 });
  if (input.optimizerState) adam.setState(objective.toRun(input.optimizerState));
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
    restore(anchor);
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
      drift = await capDrift(vars, names, anchorList, anchorNorm, policy.maxDrift);
      input.onStep?.(step, policy.steps, loss);
      if (step % policy.validateEvery === 0 || step === policy.steps) {
        await yieldToEventLoop();
        const v = await objective.valLoss();
        if (v > limit) {
          stopReason = `held-out item got worse at step ${step} (${valBefore.toFixed(3)} -> ${v.toFixed(3)}, limit ${limit.toFixed(3)}); kept step ${goodSteps}`;
          break;
        }
        const kl = await objective.replayKl();
        if (objectiveInput.guard && kl > policy.maxReplayKl) {
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
          const whole = objective.expand(good);
          try {
            await input.onImproved(step, whole);
          } finally {
            disposeSnap(whole);
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
    if (reset) restore(anchor);
    drift = await capDrift(vars, names, anchorList, anchorNorm, 0);
    objective.finish();
    await yieldToEventLoop();
    const accepted = goodSteps > 0 || reset;
    const optimizerState = reset ? null : accepted ? objective.toStored(await adam.getState()) : input.optimizerState ?? null;
    const reason = reset
      ? `reset to the pretrained weights: they beat the current ones on the newest items (${valBefore.toFixed(3)} vs ${valPretrained.toFixed(3)}) and no step helped`
      : accepted
        ? stopReason || `trained ${goodSteps} steps; held-out loss ${valBefore.toFixed(3)} -> ${(valAfter ?? valBefore).toFixed(3)}`
        : `rolled back: ${stopReason || 'no step improved the held-out item'}`;
    const after = reset ? valPretrained : accepted ? valAfter : valBefore;
    const replayKlKept = objectiveInput.guard ? (reset ? 0 : goodSteps > 0 ? keptKl : await objective.replayKl()) : null;
    return { steps: goodSteps, ran, accepted, reset, reason, valBefore, valAfter: after, valPretrained, drift, optimizerState, trainable: names, replayKl: replayKlKept, guardStopped, softmax };
  } finally {
    adam.dispose();
    if (good !== initial) disposeSnap(good);
    disposeSnap(initial);
    objective.dispose();
  }
}

/**
 * Item rows a sampled run must include: those where the model's `item_emb` differs from the
 * pretrained one (earlier runs) and those with stored Adam moments.
 */
async function rowsToKeep(model: SasRec, pretrained: ReadonlyMap<string, tf.Tensor>, names: string[], state: AdamState | null): Promise<Int32Array> {
  const base = pretrained.get('item_emb');
  if (!names.includes('item_emb') || !base) return new Int32Array(0);
  const changed = await changedRowIds(model.w('item_emb'), base);
  const stored = state?.rows?.item_emb?.ids ?? new Int32Array(0);
  return Int32Array.from(new Set([...changed, ...stored]));
}
