import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend, withBackend } from './backend';

describe('test backend helpers', () => {
  it('withBackend runs on the requested backend and restores the previous one', async () => {
    await useBackend('cpu');
    const seen = await withBackend('wasm', async () => {
      const t = tf.add(tf.scalar(2), tf.scalar(3));
      const v = (await t.data())[0];
      t.dispose();
      return { backend: tf.getBackend(), v };
    });
    expect(seen).toEqual({ backend: 'wasm', v: 5 });
    expect(tf.getBackend()).toBe('cpu');
  });
});
