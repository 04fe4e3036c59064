import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/engine/model/config';
import { batchGradScale, checkModelBlock, DEFAULT_TRAIN, flatDecayStart, MODEL_KEYS, resolveTrainOptions, scheduledLearningRate, trainChanges } from './trainOptions';

describe('resolveTrainOptions', () => {
  it('fills defaults and keeps what the file sets', () => {
    expect(resolveTrainOptions(undefined)).toEqual(DEFAULT_TRAIN);
    const opts = resolveTrainOptions({ batchSize: 64, beta2: 0.999, epsilon: 1e-8, clipNorm: 0, loss: { kind: 'ce' } });
    expect(opts).toMatchObject({ batchSize: 64, beta2: 0.999, epsilon: 1e-8, clipNorm: 0, learningRate: DEFAULT_TRAIN.learningRate });
  });

  const bad: [string, unknown, RegExp][] = [
    ['a misspelt key', { betta2: 0.999 }, /unknown train option "betta2"; known options: .*beta2/],
    ['a string number', { learningRate: '0.001' }, /"learningRate" must be a number, got "0.001"/],
    ['a bad loss', { loss: 'ce' }, /"loss" must be a loss object/],
    ['beta2 of 1', { beta2: 1 }, /"beta2" must be in \(0, 1\)/],
    ['zero epsilon', { epsilon: 0 }, /"epsilon" must be > 0/],
    ['fractional batch', { batchSize: 12.5 }, /"batchSize" must be a positive integer/],
    ['not an object', [1], /"train" must be an object/],
    ['an unknown loss weighting', { lossWeighting: 'user' }, /"lossWeighting" must be "batch" or "token", got "user"/],
    ['an unknown batch order', { batches: 'sorted' }, /"batches" must be "bucketed" or "random", got "sorted"/],
    ['an unknown schedule', { schedule: 'cosine' }, /"schedule" must be "plateau", "linear" or "timed", got "cosine"/],
    ['a decay share above 1', { decayShare: 1.5 }, /"decayShare" must be in \[0, 1\]/],
    ['a shortest decay longer than the longest', { decayShare: 0.2, decayMinShare: 0.3 }, /"decayMinShare" must be in \[0, decayShare = 0.2\]/],
    ['a negative flat gain', { flatGain: -0.1 }, /"flatGain" must be >= 0/],
    ['negative warm-up', { warmupSteps: -1 }, /"warmupSteps" must be an integer >= 0, got -1/],
  ];
  for (const [label, raw, message] of bad) {
    it(`rejects ${label}`, () => expect(() => resolveTrainOptions(raw)).toThrow(message));
  }
});

describe('scheduledLearningRate', () => {
  it("'timed': constant until (1 - decayShare) of the budget, then linear to 0 at the budget (wall clock, not steps)", () => {
    const opts = resolveTrainOptions({ schedule: 'timed', timedMinutes: 10, decayShare: 0.4, warmupSteps: 0, learningRate: 0.001 });
    expect(scheduledLearningRate(opts, 123, 5000, 1, 0)).toBe(0.001);
    expect(scheduledLearningRate(opts, 123, 5000, 1, 360)).toBe(0.001);
    expect(scheduledLearningRate(opts, 123, 5000, 1, 480)).toBeCloseTo(0.0005, 15);
    expect(scheduledLearningRate(opts, 123, 5000, 1, 600)).toBe(0);
    const warm = resolveTrainOptions({ schedule: 'timed', timedMinutes: 10, warmupSteps: 100 });
    expect(scheduledLearningRate(warm, 123, 10, 1, 0)).toBeCloseTo(0.0001, 15);
  });

  it("'timed' with a flat-validation start: constant until then, linear from there to 0 at the budget", () => {
    const opts = resolveTrainOptions({ schedule: 'timed', timedMinutes: 10, decayShare: 0.4, decayMinShare: 0.1, warmupSteps: 0, learningRate: 0.001 });
    // No start decided: the decay takes the last decayMinShare (from 540 s).
    expect(scheduledLearningRate(opts, 123, 5000, 1, 530)).toBe(0.001);
    expect(scheduledLearningRate(opts, 123, 5000, 1, 570)).toBeCloseTo(0.0005, 15);
    // Start decided at 400 s.
    expect(scheduledLearningRate(opts, 123, 5000, 1, 399, 400)).toBe(0.001);
    expect(scheduledLearningRate(opts, 123, 5000, 1, 500, 400)).toBeCloseTo(0.0005, 15);
    expect(scheduledLearningRate(opts, 123, 5000, 1, 600, 400)).toBe(0);
  });

  it('a config giving only decayShare keeps the fixed split (decayMinShare = decayShare)', () => {
    expect(resolveTrainOptions({ decayShare: 0.3 }).decayMinShare).toBe(0.3);
    expect(resolveTrainOptions({}).decayMinShare).toBe(DEFAULT_TRAIN.decayShare);
  });

  it("'plateau' uses the run's current rate after warm-up; the warm-up ramps up to it", () => {
    const opts = resolveTrainOptions({ learningRate: 0.001, warmupSteps: 10 });
    expect(scheduledLearningRate(opts, 0.001, 1, 500)).toBeCloseTo(0.0001, 15);
    expect(scheduledLearningRate(opts, 0.001, 10, 500)).toBeCloseTo(0.001, 15);
    expect(scheduledLearningRate(opts, 0.0005, 300, 500)).toBe(0.0005);
  });

  it("'linear' falls from learningRate at the first step to learningRate / total at the last, whatever the plateau rate", () => {
    const opts = resolveTrainOptions({ learningRate: 0.001, warmupSteps: 0, schedule: 'linear' });
    expect(scheduledLearningRate(opts, 123, 1, 100)).toBeCloseTo(0.001, 15);
    expect(scheduledLearningRate(opts, 123, 51, 100)).toBeCloseTo(0.0005, 15);
    expect(scheduledLearningRate(opts, 123, 100, 100)).toBeCloseTo(0.00001, 15);
    expect(scheduledLearningRate(opts, 123, 150, 100)).toBe(0);
    // With warm-up, the ramp caps the line.
    const warm = resolveTrainOptions({ learningRate: 0.001, warmupSteps: 4, schedule: 'linear' });
    expect(scheduledLearningRate(warm, 0, 1, 100)).toBeCloseTo(0.00025, 15);
  });
});

describe('trainChanges', () => {
  it('lists each setting that differs from the checkpoint, reading settings it predates as defaults', () => {
    const now = resolveTrainOptions({ seed: 44, epochs: 30, loss: { kind: 'sampled', numNegatives: 100 } });
    expect(trainChanges({ ...now }, now)).toEqual([]);
    // An older run.json without "schedule" means the default, 'plateau'; loss key order does not matter.
    const { schedule: _, ...older } = now;
    expect(trainChanges({ ...older, loss: { numNegatives: 100, kind: 'sampled' } }, now)).toEqual([]);
    expect(trainChanges({ ...now, seed: 43 }, now)).toEqual(['seed: 43 → 44']);
    expect(trainChanges({ ...older }, { ...now, schedule: 'linear' })).toEqual(['schedule: "plateau" → "linear"']);
    expect(trainChanges({ ...now, epochs: 16, loss: { kind: 'ce' } }, now)).toEqual(['epochs: 16 → 30', 'loss: {"kind":"ce"} → {"kind":"sampled","numNegatives":100}']);
  });
});

describe('batchGradScale', () => {
  it("'token' gives every target token the same weight whatever batch it is in; 'batch' changes nothing", () => {
    const targets = [1, 9, 3, 3, 20, 0];
    const batches = [[0, 2], [1, 4], [3], [5, 0]];
    const scale = batchGradScale('token', targets);
    // A batch's gradient is scale x (mean over its targets), so one token weighs scale / targets;
    // times the batch size, to compare batches of different sizes (in training all but the last are full).
    const perToken = batches.filter((b) => b.some((i) => targets[i] > 0)).map((b) => scale(b) / b.reduce((a, i) => a + targets[i], 0) * b.length);
    for (const w of perToken) expect(w).toBeCloseTo(perToken[0], 12);
    // Over an epoch the scales average to 1 when batches are the same size (the step size is kept).
    const even = [[0, 1], [2, 3], [4, 5]];
    expect(even.reduce((a, b) => a + scale(b), 0) / even.length).toBeCloseTo(1, 12);
    expect(batchGradScale('batch', targets)([1, 4])).toBe(1);
  });
});

describe('checkModelBlock', () => {
  it('knows exactly the settings of SasRecConfig that do not come from the data', () => {
    const all = Object.keys(resolveConfig({ numItems: 1, initStd: 0.02, positions: 'fromStart', block: 'sasrec', attentionInit: 'xavier' }));
    expect([...MODEL_KEYS].sort()).toEqual(all.filter((k) => k !== 'numItems' && k !== 'numFeatures').sort());
  });

  it('passes known settings through and names the bad ones', () => {
    expect(checkModelBlock({ dim: 64, block: 'sasrec', positions: 'fromStart' })).toEqual({ dim: 64, block: 'sasrec', positions: 'fromStart' });
    expect(checkModelBlock(undefined)).toEqual({});
    expect(() => checkModelBlock({ blok: 'sasrec' })).toThrow(/unknown model setting "blok"; known settings: .*block/);
    expect(() => checkModelBlock({ numItems: 10 })).toThrow(/"numItems" is set from the data/);
    expect(() => checkModelBlock('big')).toThrow(/"model" must be an object/);
  });
});

describe('flatDecayStart', () => {
  const opts = resolveTrainOptions({ schedule: 'timed', timedMinutes: 60, decayShare: 0.4, decayMinShare: 0.1, flatGain: 0.01 });
  it('waits while the best validation still gains 1% or more per epoch over 3 epochs (ML-1M at 10 epochs gains 2-3%)', () => {
    // v8's curve, epochs 1-10 (checkpoints/ml-1m-sasrec-v8-d128-ep27/history.jsonl).
    const v8 = [0.0338, 0.0843, 0.1179, 0.1346, 0.1441, 0.15, 0.1537, 0.1606, 0.1631, 0.1687];
    for (let n = 1; n <= v8.length; n++) expect(flatDecayStart(opts, v8.slice(0, n), 600 * n)).toBeUndefined();
  });
  it('starts at the current clock once flat, kept inside [end - decayShare, end - decayMinShare]', () => {
    const flat = [0.1, 0.15, 0.17, 0.171, 0.1712, 0.1715];
    expect(flatDecayStart(opts, flat, 2400)).toBe(2400);
    expect(flatDecayStart(opts, flat, 600)).toBe(0.6 * 3600);
    expect(flatDecayStart(opts, flat, 3500)).toBe(0.9 * 3600);
    // A drop counts as flat: the best so far is what matters.
    expect(flatDecayStart(opts, [0.1, 0.15, 0.17, 0.171, 0.16, 0.15], 2400)).toBe(2400);
  });
  it('never applies outside the timed schedule or before 4 epochs', () => {
    expect(flatDecayStart(resolveTrainOptions({}), [0.1, 0.1, 0.1, 0.1, 0.1], 10)).toBeUndefined();
    expect(flatDecayStart(opts, [0.1, 0.1, 0.1], 2400)).toBeUndefined();
  });
});
