import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ItemTables } from '../rank/itemTables';
import { personalScores } from '../rank/personalScores';
import { itemYears } from '../rank/personYearBias';
import { scoreCatalog } from '../rank/scoreCatalog';
import type { HistoryRead } from '../recommender/historyCache';
import { PersonScores } from '../recommender/personScores';
import type { InteractionEvent } from '../recommender/types';
import { interpretEvents } from '../signals';
import { useBackend } from '../testing/backend';
import { maxAbsDiff, tinyConfig } from '../testing/fixtures';
import { freeTiny, loadTinyWithPretrained } from '../testing/tinyModel';
import { resolvePolicy } from '../train/finetunePolicy';
import type { SasRecConfig } from './config';
import { FetchedRows, IncrementalEncoder, incrementalUnsupported } from './incrementalEncoder';
import { SasRec } from './sasrec';

beforeAll(() => useBackend('wasm'));

/** Max abs difference ignoring column 0 (padding; both sides put NEG_INF there). */
const diff = (a: Float32Array, b: Float32Array) => maxAbsDiff(a.subarray(1), b.subarray(1));

function randomModel(overrides: Partial<SasRecConfig>, seed: number): SasRec {
  const cfg = tinyConfig({ numItems: 30, maxLen: 16, numFeatures: 5, positions: 'fromStart', ...overrides });
  const features = tf.tensor2d(Float32Array.from({ length: 31 * 5 }, (_, i) => (i < 5 ? 0 : ((i * 7) % 5) / 4)), [31, 5]);
  return SasRec.create(cfg, seed, features);
}

async function encoderOf(model: SasRec, tables: ItemTables): Promise<IncrementalEncoder> {
  return IncrementalEncoder.load(model, Float32Array.from((await tables.table().data()) as Float32Array));
}

/** A history of `n` items in 1..numItems (repeats allowed, as real histories may hold them). */
const sequenceOf = (n: number, numItems: number, seed: number) => Array.from({ length: n }, (_, i) => 1 + ((i * 7 + seed * 3 + i * i) % numItems));

async function checkParity(model: SasRec, steps: number): Promise<void> {
  const tables = new ItemTables(model);
  tables.tableT(); // the table and its transpose stay held (as in the app)
  const start = tf.memory().numTensors;
  const enc = await encoderOf(model, tables);
  const seq = sequenceOf(steps, model.config.numItems, model.config.heads);
  for (let i = 0; i < seq.length; i++) {
    const hidden = enc.append(seq[i]);
    const inc = enc.scores(hidden);
    const ref = await scoreCatalog(model, seq.slice(0, i + 1), tables);
    expect(diff(inc, ref), `after ${i + 1} items`).toBeLessThan(1e-4);
    expect(inc[0]).toBe(ref[0]);
  }
  // Earlier positions keep their hidden vectors: position t is what the model reads after t + 1 items.
  for (let t = 0; t < seq.length; t++) expect(diff(enc.scores(enc.hiddenAt(t)), await scoreCatalog(model, seq.slice(0, t + 1), tables)), `position ${t}`).toBeLessThan(1e-4);
  expect(() => enc.hiddenAt(seq.length)).toThrow(/outside/);
  // build() from scratch equals the state append by append: same hidden, and the next append agrees.
  const other = await encoderOf(model, tables);
  const built = other.build(seq) as Float32Array;
  expect(maxAbsDiff(built, enc.lastHidden as Float32Array)).toBeLessThan(1e-5);
  if (seq.length < model.config.maxLen) {
    expect(maxAbsDiff(other.append(3), enc.append(3))).toBeLessThan(1e-5);
  }
  // truncate() keeps the earlier positions: appending after it equals a build of that prefix.
  other.truncate(4);
  expect(other.lastHidden).toBeNull();
  const re = other.append(seq[7]);
  expect(maxAbsDiff(re, (await encoderOf(model, tables)).build([...seq.slice(0, 4), seq[7]]) as Float32Array)).toBeLessThan(1e-5);
  expect(tf.memory().numTensors).toBe(start);
  tables.dispose();
}

describe('IncrementalEncoder', () => {
  it('the shipped tiny model (pre-LN, 1 head): every append equals scoreCatalog; build equals append by append', async () => {
    const tiny = loadTinyWithPretrained();
    expect(tiny.model.config.positions).toBe('fromStart');
    await checkParity(tiny.model, 12);
    freeTiny(tiny);
  });

  for (const block of ['sasrec', 'preLN'] as const) {
    for (const heads of [1, 2]) {
      it(`random model, block ${block}, ${heads} head(s), content features: parity with scoreCatalog over 12 appends`, async () => {
        const model = randomModel({ block, heads, dropout: 0.2 }, 3 + heads);
        await checkParity(model, 12);
        model.dispose();
      });
    }
  }

  it('fills the window to maxLen and refuses to slide it', async () => {
    const model = randomModel({ block: 'sasrec', heads: 2, maxLen: 6 }, 9);
    const tables = new ItemTables(model);
    const enc = await encoderOf(model, tables);
    const seq = sequenceOf(6, 30, 1);
    expect(enc.build(seq.slice(0, 5))).not.toBeNull();
    expect(enc.extends(seq)).toBe(true);
    const inc = enc.scores(enc.append(seq[5]));
    expect(diff(inc, await scoreCatalog(model, seq, tables))).toBeLessThan(1e-4);
    expect(enc.extends([...seq, 1])).toBe(false);
    expect(() => enc.append(1)).toThrow(/maxLen/);
    expect(() => enc.build([...seq, 1])).toThrow(/maxLen/);
    expect(() => enc.build([0])).toThrow(/outside/);
    expect(enc.build([])).toBeNull();
    expect(enc.lastHidden).toBeNull();
    tables.dispose();
    model.dispose();
  });

  it('refuses a model whose positions count from the end, clearly', async () => {
    const model = randomModel({ positions: 'fromEnd' }, 2);
    expect(incrementalUnsupported(model.config)).toMatch(/fromStart/);
    const tables = new ItemTables(model);
    const rows = Float32Array.from((await tables.table().data()) as Float32Array);
    await expect(IncrementalEncoder.load(model, rows)).rejects.toThrow(/unsupported model config.*fromEnd/);
    // PersonScores keeps the tfjs path for it.
    const ps = new PersonScores(model, resolvePolicy({}), null);
    const h = interpretEvents([{ itemId: 1, type: 'like', at: 0 }]);
    await ps.scores({ events: [], view: h, version: 1 });
    await ps.idle();
    await ps.scores({ events: [], view: interpretEvents([{ itemId: 1, type: 'like', at: 0 }, { itemId: 2, type: 'like', at: 1 }]), version: 2 });
    expect(ps.passes).toEqual({ tfjs: 2, appended: 0, reused: 0 });
    ps.dispose();
    tables.dispose();
    model.dispose();
  });
});

describe('FetchedRows', () => {
  it('reads only the rows asked for, equal to the table, and an encoder on them equals one on the whole table; no leaks', async () => {
    const x = loadTinyWithPretrained();
    const tables = new ItemTables(x.model);
    const whole = (await tables.table().data()) as Float32Array;
    const d = x.model.config.dim;
    const start = tf.memory().numTensors;
    const rows = new FetchedRows(() => tables.table(), d);
    const seq = [5, 9, 5, 12, 30];
    await rows.fetch(seq);
    expect(rows.size).toBe(4);
    expect(tf.memory().numTensors).toBe(start);
    for (const id of seq) expect([...rows.row(id)]).toEqual([...whole.subarray(id * d, (id + 1) * d)]);
    expect(() => rows.row(7)).toThrow(/not fetched/);
    const partial = await IncrementalEncoder.load(x.model, rows);
    const full = await IncrementalEncoder.load(x.model, Float32Array.from(whole));
    expect(maxAbsDiff(partial.build(seq) as Float32Array, full.build(seq) as Float32Array)).toBe(0);
    expect(() => partial.scores(partial.lastHidden as Float32Array)).toThrow(/whole item table/);
    expect(() => partial.append(7)).toThrow(/not fetched/);
    expect(partial.holds(seq)).toBe(true); // a refused append changes nothing
    tables.dispose();
    freeTiny(x);
  });
});

describe('PersonScores through the incremental encoder', () => {
  const POLICY = resolvePolicy({});
  const prior = Float32Array.from({ length: 31 }, (_, i) => (i === 0 ? 0 : Math.log(1 + (i % 7)) / 3));

  // Item i released in 2001 - i: with years the feed adds the person's release-year bias, fitted from the prefixes' scores.
  const YEARS = itemYears(Array.from({ length: 30 }, (_, i) => ({ id: i + 1, year: 2000 - i })), 30);
  it.each([['without', null], ['with', YEARS]] as const)('like / dislike / like events give the tfjs scores, after a weights change too; no tensor leaks (%s release years)', async (_, years) => {
    const model = randomModel({ block: 'sasrec', heads: 2 }, 11);
    const ps = new PersonScores(model, POLICY, prior, { years });
    const outcomes = new Set<string>();
    const reference = new ItemTables(model);
    const events: InteractionEvent[] = [];
    let version = 0;
    const read = (): HistoryRead => ({ events: [...events], view: interpretEvents(events), version: ++version });
    const check = async (label: string) => {
      const h = read();
      const got = await ps.scores(h);
      const want = await personalScores(model, h.view, POLICY, prior, reference, null, years);
      expect(diff(got, want), label).toBeLessThan(1e-4);
      if (ps.yearBias) outcomes.add(ps.yearBias.outcome);
      await ps.idle();
    };
    let tensors = -1;
    // Fresh items each round (a like of an item already in the history moves it: not an append).
    const rounds = [[1, 12, 23, 4, 15, 26, 7, 18, 29], [2, 3, 5, 6, 8, 9, 10, 11, 13]];
    const act = async (round: number) => {
      await check(`round ${round}: start`);
      for (let i = 0; i < 9; i++) {
        const type = i % 3 === 1 ? 'dislike' : 'like';
        events.push({ itemId: rounds[round][i], type, at: events.length });
        await check(`round ${round}: event ${i} (${type})`);
        if (tensors < 0 && i > 1) tensors = tf.memory().numTensors;
      }
    };
    await act(0);
    expect(ps.passes.tfjs).toBe(1); // the first history only: then appends (likes) and reuses (dislikes)
    expect(ps.passes.appended).toBe(6);
    expect(ps.passes.reused).toBe(3);
    expect(ps.computed).toBe(10);
    expect(tf.memory().numTensors).toBe(tensors);

    // New weights: the encoder is dropped, one tfjs pass, then incremental again with the new weights.
    tf.tidy(() => { for (const n of ['item_emb', 'block0/wk', 'pos_emb']) { const w = model.w(n); w.assign(tf.mul(w, 0.7)); } });
    ps.weightsChanged();
    reference.invalidate();
    const before = { ...ps.passes };
    await act(1);
    expect(ps.passes.tfjs - before.tfjs).toBe(1);
    expect(ps.passes.appended - before.appended).toBe(6);
    expect(ps.passes.reused - before.reused).toBe(3);

    // An edit that is not an append (import, delete): tfjs, then a rebuilt state.
    events.splice(0, 2);
    const t0 = ps.passes.tfjs;
    await check('after removing the oldest events');
    expect(ps.passes.tfjs).toBe(t0 + 1);
    events.push({ itemId: 30, type: 'like', at: 99 });
    await check('a like after the rebuild');
    expect(ps.passes.tfjs).toBe(t0 + 1);

    // With years the bias was fitted (and kept at least once) on both paths; without, never.
    if (years) expect([...outcomes]).toContain('kept');
    else expect(ps.yearBias).toBeNull();

    const held = tf.memory().numTensors;
    ps.dispose();
    reference.dispose();
    expect(tf.memory().numTensors).toBeLessThan(held);
    model.dispose();
  });

  it('rebuilds a long history in chunks after a tfjs pass; the next like appends', async () => {
    const model = randomModel({ block: 'preLN', heads: 2, maxLen: 40 }, 5);
    const ps = new PersonScores(model, POLICY, prior);
    const events: InteractionEvent[] = Array.from({ length: 25 }, (_, at) => ({ itemId: 1 + ((at * 7) % 25), type: 'like', at }));
    const first = { events, view: interpretEvents(events), version: 1 };
    expect(first.view.sequence.length).toBeGreaterThan(16); // several chunks
    await ps.scores(first);
    await ps.idle();
    const next = [...events, { itemId: 26, type: 'like' as const, at: 99 }];
    const view = interpretEvents(next);
    const got = await ps.scores({ events: next, view, version: 2 });
    expect(ps.passes).toEqual({ tfjs: 1, appended: 1, reused: 0 });
    expect(diff(got, await personalScores(model, view, POLICY, prior, ps.tables))).toBeLessThan(1e-4);
    ps.dispose();
    model.dispose();
  });

  it('incremental: false keeps the tfjs path', async () => {
    const tiny = loadTinyWithPretrained();
    const ps = new PersonScores(tiny.model, POLICY, null, { incremental: false });
    await ps.scores({ events: [], view: interpretEvents([{ itemId: 1, type: 'like', at: 0 }]), version: 1 });
    await ps.idle();
    await ps.scores({ events: [], view: interpretEvents([{ itemId: 1, type: 'like', at: 0 }, { itemId: 2, type: 'like', at: 1 }]), version: 2 });
    expect(ps.passes.tfjs).toBe(2);
    ps.dispose();
    freeTiny(tiny);
  });
});
