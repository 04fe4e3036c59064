import { beforeAll, describe, expect, it } from 'vitest';
import { hitAt, rankMetrics } from '../eval/metrics';
import { rankTargets } from '../eval/rankTargets';
import { SasRec } from '../model/sasrec';
import { useBackend } from '../testing/backend';
import { plantedRuleSequences, tinyConfig } from '../testing/fixtures';
import { Adam } from './adam';
import { bucketedBatches, nextItemBatch } from './batches';
import { Rng } from './rng';
import { trainStep } from './trainStep';

beforeAll(() => useBackend('cpu'));

describe('learning a planted rule', () => {
  it('item i is followed by item i+1: HR@1 > 0.9 on held-out users after a small budget', async () => {
    const numItems = 40;
    const cfg = tinyConfig({ numItems, maxLen: 10, dim: 32, blocks: 1, heads: 1, ffnDim: 32, dropout: 0 });
    const train = plantedRuleSequences({ numItems, numUsers: 256, minLen: 3, maxLen: 11, seed: 1 });
    const test = plantedRuleSequences({ numItems, numUsers: 100, minLen: 3, maxLen: 11, seed: 2 });
    const model = SasRec.create(cfg, 3);
    const opt = new Adam(model.weights);
    const rng = new Rng(5);
    const started = performance.now();
    for (let epoch = 0; epoch < 6; epoch++) {
      for (const idx of bucketedBatches(train.map((s) => s.length), 32, rng, 4)) {
        await trainStep(model, opt, nextItemBatch(idx.map((i) => train[i]), cfg.maxLen), { kind: 'ce' }, 0.01, rng);
      }
    }
    const cases = test.map((s) => ({ history: s.subarray(0, -1), target: s[s.length - 1], exclude: s.subarray(0, -1) }));
    const { ranks } = await rankTargets(model, cases);
    const hr1 = Array.from(ranks).reduce((s, r) => s + hitAt(r, 1), 0) / ranks.length;
    // A uniform guess would score HR@1 = 1/40 (minus the excluded history).
    expect(hr1).toBeGreaterThan(0.9);
    expect(rankMetrics(ranks).MRR).toBeGreaterThan(0.9);
    console.log(`planted rule: HR@1 ${hr1.toFixed(3)} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(performance.now() - started).toBeLessThan(60_000);
    opt.dispose();
    model.dispose();
  });
});
