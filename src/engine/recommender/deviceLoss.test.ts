import { describe, expect, it, vi } from 'vitest';
import { DeviceLostError, deserializeError, serializeError } from '../errors';
import type { GpuDeviceLike } from '../runtime/gpuDevice';
import { DeviceLossGuard, type DeviceLossDeps } from './deviceLoss';
import type { Device, ProgressEvent } from './types';

/** A GPUDevice whose `lost` promise the test resolves. */
function fakeDevice(): GpuDeviceLike & { lose(reason: string): void } {
  let lose!: (info: { reason: string; message: string }) => void;
  const lost = new Promise<{ reason?: string; message?: string }>((resolve) => { lose = resolve; });
  return { lost, destroy: () => lose({ reason: 'destroyed', message: '' }), lose: (reason) => lose({ reason, message: 'test' }) };
}

function setup(requested: Device, reloadOn: DeviceLossDeps['reloadOn'] = async () => ({ threads: false })) {
  const device = fakeDevice();
  const events: ProgressEvent[] = [];
  const deps = {
    requested,
    emit: (e: ProgressEvent) => events.push(e),
    reloadOn: vi.fn(reloadOn),
    stop: vi.fn(),
    publishStatus: vi.fn(async () => {}),
    gpuDevice: () => device,
    settleMs: 20,
  };
  return { guard: new DeviceLossGuard(deps), device, events, deps };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('DeviceLossGuard', () => {
  it('auto: a lost WebGPU device reloads the model on WASM, says so, and a failed run may run again', async () => {
    const { guard, device, events, deps } = setup('auto');
    guard.watch('webgpu');
    device.lose('unknown');
    expect(await guard.afterFailure()).toBe(true);
    expect(deps.reloadOn).toHaveBeenCalledWith('wasm');
    expect(deps.stop).not.toHaveBeenCalled();
    expect(deps.publishStatus).toHaveBeenCalled();
    expect(events).toEqual([expect.objectContaining({ status: 'device-lost', lost: 'webgpu', now: 'wasm' })]);
    expect((events[0] as { message: string }).message).toMatch(/reloaded the model on WASM.*history and fine-tuned weights are kept/);
    await expect(guard.ready()).resolves.toBeUndefined();
  });

  it('explicit webgpu: the engine stops and every model call gets a DeviceLostError offering WASM', async () => {
    const { guard, device, events, deps } = setup('webgpu');
    guard.watch('webgpu');
    device.lose('unknown');
    await tick();
    expect(deps.stop).toHaveBeenCalledTimes(1);
    expect(deps.reloadOn).not.toHaveBeenCalled();
    expect(events).toEqual([expect.objectContaining({ status: 'device-lost', lost: 'webgpu', now: null })]);
    const err = await guard.ready().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceLostError);
    expect(err).toMatchObject({ code: 'DEVICE_LOST', requested: 'webgpu', available: ['wasm', 'cpu'] });
    expect((err as Error).message).toMatch(/unknown: test.*history and fine-tuned weights are kept.*device "wasm"/);
    await expect(guard.afterFailure()).rejects.toBeInstanceOf(DeviceLostError);
    // The error crosses the worker as the same class, with the backends it offers.
    const back = deserializeError(serializeError(err));
    expect(back).toBeInstanceOf(DeviceLostError);
    expect(back).toMatchObject({ name: 'DeviceLostError', code: 'DEVICE_LOST', available: ['wasm', 'cpu'] });
  });

  it('auto: when WASM fails to load too, the engine stops and offers the CPU', async () => {
    const { guard, device, events, deps } = setup('auto', async () => { throw new Error('no WebAssembly'); });
    guard.watch('webgpu');
    device.lose('unknown');
    await expect(guard.afterFailure()).rejects.toMatchObject({ code: 'DEVICE_LOST', available: ['cpu'] });
    expect(deps.stop).toHaveBeenCalledTimes(1);
    expect(events.at(-1)).toMatchObject({ status: 'device-lost', now: null });
  });

  it('an error that is not a lost device is left to the caller (after a short wait for one)', async () => {
    const { guard, deps } = setup('auto');
    guard.watch('webgpu');
    expect(await guard.afterFailure()).toBe(false);
    expect(deps.reloadOn).not.toHaveBeenCalled();
  });

  it('off WebGPU nothing is watched and failures are not held up', async () => {
    const { guard, device, deps } = setup('auto');
    guard.watch('wasm');
    device.lose('unknown');
    await tick();
    expect(await guard.afterFailure()).toBe(false);
    expect(deps.reloadOn).not.toHaveBeenCalled();
  });

  it('dispose stops watching', async () => {
    const { guard, device, deps, events } = setup('webgpu');
    guard.watch('webgpu');
    guard.dispose();
    device.lose('unknown');
    await tick();
    expect(deps.stop).not.toHaveBeenCalled();
    expect(events).toEqual([]);
  });
});
