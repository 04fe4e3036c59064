import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DeviceUnavailableError } from '../errors';
import { autoOrder, availableBackends, probeDevices, selectBackend, type DeviceProbe } from './selectBackend';

const probe = (webgpu: Partial<DeviceProbe['webgpu']>, wasm = true): DeviceProbe => ({
  webgpu: { available: false, software: false, adapter: null, reason: 'none', ...webgpu },
  wasm: { available: wasm, reason: wasm ? 'ok' : 'no WebAssembly' },
});

describe('backend selection', () => {
  it('auto prefers a real GPU, then WASM, then CPU', () => {
    expect(autoOrder(probe({ available: true, adapter: 'nvidia ampere', reason: 'real GPU' })).order).toEqual(['webgpu', 'wasm', 'cpu']);
  });

  it('auto skips a software WebGPU adapter (SwiftShader) and says why', () => {
    const { order, notes } = autoOrder(probe({ available: true, software: true, adapter: 'google swiftshader (software)', reason: 'the WebGPU adapter is a software renderer' }));
    expect(order).toEqual(['wasm', 'cpu']);
    expect(notes[0]).toContain('software');
  });

  it('the test hook lets auto take a software adapter (to test GPU faults without a GPU); never a missing one', () => {
    const sw = probe({ available: true, software: true, adapter: 'google swiftshader (software)', reason: 'software' });
    expect(autoOrder(sw, true).order).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(autoOrder(probe({}), true).order).toEqual(['wasm', 'cpu']);
  });

  it('explicit WebGPU is allowed on a software adapter, listed as available', () => {
    expect(availableBackends(probe({ available: true, software: true }))).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(availableBackends(probe({}, false))).toEqual(['cpu']);
  });

  it('Node has no WebGPU: probing says so', async () => {
    const p = await probeDevices();
    expect(p.webgpu.available).toBe(false);
    expect(p.webgpu.reason).toContain('navigator.gpu');
    expect(p.wasm.available).toBe(true);
  });

  it('an explicit device that is missing throws DeviceUnavailableError listing what is available', async () => {
    const err = await selectBackend('webgpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnavailableError);
    expect(err).toMatchObject({ code: 'DEVICE_UNAVAILABLE', available: ['wasm', 'cpu'] });
    expect((err as Error).message).toContain('Available: wasm, cpu');
  });

  it('auto in Node picks WASM and reports single-threaded', async () => {
    const info = await selectBackend('auto');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBe(false);
    // Not cross-origin isolated: the single-threaded binary is chosen, and the reason is given.
    expect(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    expect(info.notes.join(' ')).toContain('not cross-origin isolated');
    expect(info.adapter).toBeNull();
    expect(info.notes.join(' ')).toContain('auto skipped WebGPU');
    const cpu = await selectBackend('cpu');
    expect(cpu.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
