/** The epoch loop of pretraining: steps, checkpoints, validation, best-epoch choice, clean stops. */
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { rankMetrics } from '../../src/engine/eval/metrics';
import type { SasRecConfig } from '../../src/engine/model/config';
import { bucketedBatches, randomBatches } from '../../src/engine/train/batches';
import { Rng } from '../../src/engine/train/rng';
import { LocalRecError } from '../../src/engine/errors';
import type { TrainRunner } from './trainRunner';
import { batchGradScale, flatDecayStart, scheduledLearningRate, type TrainOptions } from './trainOptions';
import { bar, formatDuration, Progress } from './progress';
import type { leaveOneOut } from './split';

/** Everything a checkpoint needs to continue a run exactly. */
export interface RunState {
  epoch: number;
  /** Batches of `epoch` already done. */
  batchInEpoch: number;
  /** Sum and count of those batches' losses, so a resumed epoch reports its whole mean (absent in older checkpoints). */
  epochLossSum?: number;
  epochLossCount?: number;
  learningRate: number;
  bestNdcg: number;
  bestEpoch: number;
  epochsSinceBest: number;
  rng: number;
  history: { epoch: number; loss: number; validNdcg10: number; validHr10: number; lr: number; seconds: number }[];
  trainSeconds: number;
  /** Wall clock of training so far, steps and validation (the 'timed' schedule's clock; absent in older checkpoints). */
  clockSeconds?: number;
  /** With the 'timed' schedule: the clock second the decay starts at, once validation flattened. */
  decayFromSeconds?: number;
  done: boolean;
}

export interface LoopInput {
  runner: TrainRunner;
  opts: TrainOptions;
  config: SasRecConfig;
  split: ReturnType<typeof leaveOneOut>;
  state: RunState;
  ckptDir: string;
  maxMinutes: number;
  snapshots: boolean;
  stop: { requested: string };
  stopFile: string;
  log: (line: string) => void;
}

/**
 * Trains until the epochs, patience or the 'timed' budget end (returns '') or a stop request,
 * --max-minutes or the STOP file interrupts (returns why; the caller saves the checkpoint).
 */
export async function trainLoop(x: LoopInput): Promise<string> {
  const { runner, opts, config, split, state, ckptDir } = x;
  state.clockSeconds ??= state.trainSeconds;
  const validRng = new Rng(opts.seed + 7);
  const validCases = split.valid.length > opts.validUsers
    ? validRng.shuffle(split.valid.map((_, i) => i)).slice(0, opts.validUsers).sort((a, b) => a - b).map((i) => split.valid[i])
    : split.valid;
  const ckptModelDir = join(ckptDir, 'checkpoint');
  const saveCheckpoint = () => runner.save(ckptModelDir, true, { 'state.json': JSON.stringify(state) });
  const progress = new Progress();
  const started = Date.now();
  const lengths = split.train.map((s) => Math.min(s.length - 1, config.maxLen));
  const gradScale = batchGradScale(opts.lossWeighting, lengths);
  const timedEnd = opts.schedule === 'timed' ? opts.timedMinutes * 60 : Infinity;
  let lastCheckpoint = Date.now();
  // The clock counts everything this process spends training (steps, checkpoints, validation).
  let tick = Date.now();
  const advanceClock = () => { const now = Date.now(); state.clockSeconds = (state.clockSeconds ?? 0) + (now - tick) / 1000; tick = now; };
  let stopReason = '';
  /** Seconds the last validation took: a timed run stops its steps early enough to validate inside the budget. */
  let validSeconds = 0;
  const onSignal = (name: string) => () => { stopReason = name; };
  const onTerm = onSignal('SIGTERM');
  const onInt = onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    while (!state.done && state.epoch < opts.epochs && !stopReason) {
      const batchRng = new Rng(opts.seed * 1000 + state.epoch);
      const batches = opts.batches === 'random' ? randomBatches(lengths.length, opts.batchSize, batchRng) : bucketedBatches(lengths, opts.batchSize, batchRng);
      const epochStart = Date.now();
      let stepsSinceStart = 0;
      let lossSum = state.batchInEpoch > 0 ? state.epochLossSum ?? 0 : 0;
      let lossCount = state.batchInEpoch > 0 ? state.epochLossCount ?? 0 : 0;
      const rng = new Rng(0);
      rng.setState(state.rng);
      let lastLr = state.learningRate;
      let outOfTime = false;
      for (let b = state.batchInEpoch; b < batches.length; b++) {
        if ((state.clockSeconds ?? 0) + validSeconds >= timedEnd) { outOfTime = true; break; }
        const globalStep = state.epoch * batches.length + b + 1;
        const lr = scheduledLearningRate(opts, state.learningRate, globalStep, opts.epochs * batches.length, state.clockSeconds, state.decayFromSeconds);
        lastLr = lr;
        const t0 = Date.now();
        const loss = await runner.step(batches[b].map((i) => split.train[i]), lr, rng.seed(), gradScale(batches[b]));
        if (!Number.isFinite(loss)) throw new LocalRecError('INTERNAL', `loss became ${loss} at epoch ${state.epoch} batch ${b}; lower the learning rate`);
        state.trainSeconds += (Date.now() - t0) / 1000;
        advanceClock();
        lossSum += loss;
        lossCount++;
        stepsSinceStart++;
        state.batchInEpoch = b + 1;
        state.epochLossSum = lossSum;
        state.epochLossCount = lossCount;
        state.rng = rng.getState();
        const elapsed = Date.now() - epochStart;
        const perBatch = elapsed / Math.max(1, stepsSinceStart);
        progress.update(
          `epoch ${state.epoch + 1}${Number.isFinite(timedEnd) ? '' : `/${opts.epochs}`} ${bar((b + 1) / batches.length)} ${b + 1}/${batches.length} ` +
            `loss ${(lossSum / lossCount).toFixed(4)} ${((stepsSinceStart * opts.batchSize * 1000) / Math.max(1, elapsed)).toFixed(1)} seq/s ` +
            `epoch ETA ${formatDuration(perBatch * (batches.length - b - 1))} best ${state.bestNdcg.toFixed(4)}@${state.bestEpoch + 1}` +
            (Number.isFinite(timedEnd) ? ` clock ${formatDuration(state.clockSeconds * 1000)}/${formatDuration(timedEnd * 1000)} lr ${lr.toExponential(1)}` : ''),
        );
        if (Date.now() - lastCheckpoint > opts.checkpointMinutes * 60_000) {
          await saveCheckpoint();
          lastCheckpoint = Date.now();
        }
        // The 'timed' budget ends the run mid-epoch: that partial epoch is validated like a whole one.
        if ((state.clockSeconds ?? 0) >= timedEnd) { outOfTime = true; break; }
        if ((Date.now() - started) / 60_000 > x.maxMinutes) { stopReason = `--max-minutes ${x.maxMinutes}`; break; }
        if (x.stop.requested) stopReason = x.stop.requested;
        if (existsSync(x.stopFile)) stopReason = `${x.stopFile} exists`;
        if (stopReason) break;
      }
      if (state.batchInEpoch < batches.length && !outOfTime) break;
      // Out of time before this epoch's first step: the last validation stands.
      if (outOfTime && state.batchInEpoch === 0) { state.done = true; await saveCheckpoint(); break; }

      const validStart = Date.now();
      const m = rankMetrics(await runner.rank(validCases));
      validSeconds = (Date.now() - validStart) / 1000;
      advanceClock();
      const epochSeconds = (Date.now() - epochStart) / 1000;
      const shownLr = opts.schedule === 'plateau' ? state.learningRate : lastLr;
      state.history.push({ epoch: state.epoch + 1, loss: lossSum / Math.max(1, lossCount), validNdcg10: m['NDCG@10'], validHr10: m['HR@10'], lr: shownLr, seconds: epochSeconds });
      appendFileSync(join(ckptDir, 'history.jsonl'), JSON.stringify(state.history[state.history.length - 1]) + '\n');
      if (m['NDCG@10'] > state.bestNdcg) {
        state.bestNdcg = m['NDCG@10'];
        state.bestEpoch = state.epoch;
        state.epochsSinceBest = 0;
        await runner.save(join(ckptDir, 'best'), false);
      } else {
        state.epochsSinceBest++;
        if (opts.schedule === 'plateau' && state.epochsSinceBest % opts.plateauEpochs === 0) state.learningRate = Math.max(opts.minLearningRate, state.learningRate / 2);
        if (state.epochsSinceBest >= opts.patience) state.done = true;
      }
      progress.update(
        `epoch ${state.epoch + 1} done in ${formatDuration(epochSeconds * 1000)}${outOfTime ? ` (time budget reached after ${state.batchInEpoch}/${batches.length} batches)` : ''}: loss ${(lossSum / Math.max(1, lossCount)).toFixed(4)} ` +
          `valid NDCG@10 ${m['NDCG@10'].toFixed(4)} HR@10 ${m['HR@10'].toFixed(4)} (best ${state.bestNdcg.toFixed(4)} @ ${state.bestEpoch + 1}) lr ${shownLr.toExponential(2)}`,
        true,
      );
      if (state.decayFromSeconds === undefined && !outOfTime) {
        state.decayFromSeconds = flatDecayStart(opts, state.history.map((h) => h.validNdcg10), state.clockSeconds ?? 0);
        if (state.decayFromSeconds !== undefined) {
          progress.update(`validation gains fell below ${(100 * opts.flatGain).toFixed(1)}% per epoch: the rate decays linearly from ${formatDuration(state.decayFromSeconds * 1000)} to 0 at ${formatDuration(timedEnd * 1000)}`, true);
        }
      }
      if (x.snapshots) await runner.save(join(ckptDir, 'epochs', String(state.epoch + 1).padStart(3, '0')), false);
      state.epoch++;
      state.batchInEpoch = 0;
      if (outOfTime) state.done = true;
      await saveCheckpoint();
      lastCheckpoint = Date.now();
    }
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    progress.done();
  }
  if (stopReason || (!state.done && state.epoch < opts.epochs)) return stopReason || 'interrupted';
  return '';
}
