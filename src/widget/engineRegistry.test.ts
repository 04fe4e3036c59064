import { describe, expect, it, vi } from 'vitest';
import type { EngineRequest } from './api';
import { EngineRegistry } from './engineRegistry';
import { FakeEngine } from './testing/fakeEngine';

function setup() {
  const engines: FakeEngine[] = [];
  const registry = new EngineRegistry((req: EngineRequest) => {
    const e = new FakeEngine(req);
    engines.push(e);
    return e;
  });
  return { registry, engines };
}
const tiny = { modelUrl: 'https://cdn.example/models/tiny/', device: 'auto' as const, namespace: 'widget:cdn.example:tiny' };

describe('EngineRegistry', () => {
  it('shares one engine per model folder and fans progress out to every holder', async () => {
    const { registry, engines } = setup();
    const a = vi.fn();
    const b = vi.fn();
    const la = registry.acquire(tiny, a);
    const lb = registry.acquire(tiny, b);
    expect(engines).toHaveLength(1);
    expect(la.engine).toBe(lb.engine);
    expect(registry.holders(tiny.modelUrl)).toBe(2);
    await la.engine.record({ itemId: 1, type: 'like', at: 1 });
    expect(a).toHaveBeenCalledWith(expect.objectContaining({ status: 'updated', what: 'history', origin: 'local' }));
    expect(b).toHaveBeenCalledTimes(1);
    registry.acquire({ ...tiny, modelUrl: 'https://cdn.example/models/other/' }, vi.fn());
    expect(engines).toHaveLength(2);
  });

  it('keeps the first device and reports a conflicting one', () => {
    const { registry, engines } = setup();
    const first = registry.acquire({ ...tiny, device: 'wasm' }, vi.fn());
    const second = registry.acquire({ ...tiny, device: 'webgpu' }, vi.fn());
    expect(first.deviceConflict).toBeNull();
    expect(second.device).toBe('wasm');
    expect(second.deviceConflict).toContain('device="webgpu" was ignored');
    expect(second.deviceConflict).toContain('device="wasm"');
    expect(engines[0].request.device).toBe('wasm');
  });

  it('disposes the engine when the last holder releases it (twice is harmless), then starts afresh', () => {
    const { registry, engines } = setup();
    const la = registry.acquire(tiny, vi.fn());
    const lb = registry.acquire(tiny, vi.fn());
    la.release();
    la.release();
    expect(engines[0].disposed).toBe(false);
    expect(registry.holders(tiny.modelUrl)).toBe(1);
    lb.release();
    expect(engines[0].disposed).toBe(true);
    expect(registry.size).toBe(0);
    registry.acquire(tiny, vi.fn());
    expect(engines).toHaveLength(2);
  });

  it('a throwing listener does not starve the others', async () => {
    const { registry } = setup();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const ok = vi.fn();
    const lease = registry.acquire(tiny, () => { throw new Error('host bug'); });
    registry.acquire(tiny, ok);
    await lease.engine.record({ itemId: 2, type: 'view', at: 1 });
    expect(ok).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });
});
