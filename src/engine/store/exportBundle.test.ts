import { describe, expect, it } from 'vitest';
import { LocalRecError } from '../errors';
import { makeBundle, validateBundle } from './exportBundle';
import { DEFAULT_SETTINGS, type StoredCheckpoint } from './localStore';

const target = { numItems: 10, modelId: 'm@1', weightSizes: new Map([['final_ln_g', 3], ['final_ln_b', 3]]) };
const ckpt: StoredCheckpoint = {
  modelId: 'm@1', steps: 4, updatedAt: 99, trainedEvents: 2,
  weights: { final_ln_g: Float32Array.from([1.5, -2, 3.25]) },
  optimizer: { step: 4, m: { final_ln_g: Float32Array.from([0.5, 0, 1]) }, v: { final_ln_g: Float32Array.from([1, 2, 3]) } },
};

function problems(raw: unknown): string {
  try {
    validateBundle(raw, target);
  } catch (e) {
    expect(e).toBeInstanceOf(LocalRecError);
    expect((e as LocalRecError).code).toBe('IMPORT_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected IMPORT_INVALID');
}

describe('export bundle', () => {
  it('round-trips events, settings and the checkpoint bit-exactly through JSON', () => {
    const events = [{ itemId: 3, type: 'like' as const, at: 1 }, { itemId: 4, type: 'dislike' as const, at: 2 }];
    const bundle = makeBundle('tiny', events, { ...DEFAULT_SETTINGS, discover: 0.5 }, ckpt, 7);
    expect(bundle.checkpoint?.weights.final_ln_g).toBe(btoa(String.fromCharCode(...new Uint8Array(ckpt.weights.final_ln_g.buffer))));
    const v = validateBundle(JSON.parse(JSON.stringify(bundle)), target);
    expect(v.events).toEqual(events);
    expect(v.settings.discover).toBe(0.5);
    expect(v.checkpoint).toEqual(ckpt);
    expect(makeBundle('tiny', v.events, v.settings, v.checkpoint, 7)).toEqual(bundle);
  });

  it('names every problem', () => {
    const good = makeBundle('tiny', [], DEFAULT_SETTINGS, ckpt, 1);
    expect(problems(null)).toContain('not a JSON object');
    expect(problems({ ...good, format: 'x' })).toContain('"format"');
    expect(problems({ ...good, events: [{ itemId: 0, type: 'like', at: 1 }] })).toContain('events[0].itemId');
    expect(problems({ ...good, events: [{ itemId: 1, type: 'like', at: 1, extra: 1 }] })).toContain('unknown field(s) extra');
    expect(problems({ ...good, settings: { discover: 2 } })).toContain('settings.discover');
    expect(problems({ ...good, settings: { theme: 'dark' } })).toContain('unknown key "theme"');
    const cp = good.checkpoint as NonNullable<typeof good.checkpoint>;
    expect(problems({ ...good, checkpoint: { ...cp, weights: { nope: cp.weights.final_ln_g } } })).toContain('"nope" is not a parameter');
    expect(problems({ ...good, checkpoint: { ...cp, weights: { final_ln_b: 'AAAAAA==' } } })).toContain('has 1 values, the model needs 3');
    expect(problems({ ...good, checkpoint: { ...cp, weights: { final_ln_g: '!!' } } })).toContain('not base64');
  });

  it('a checkpoint of other pretrained weights is skipped, not applied', () => {
    const b = makeBundle('tiny', [{ itemId: 1, type: 'view', at: 1 }], DEFAULT_SETTINGS, { ...ckpt, modelId: 'm@2' }, 1);
    const v = validateBundle(b, target);
    expect(v.checkpoint).toBeNull();
    expect(v.checkpointSkipped).toContain('m@2');
    expect(v.events).toHaveLength(1);
  });
});
