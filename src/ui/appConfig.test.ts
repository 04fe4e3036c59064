import { describe, expect, it, vi } from 'vitest';
import { readAppConfig } from './appConfig';

describe('readAppConfig', () => {
  it('defaults to the shipped model and auto device', () => {
    expect(readAppConfig('', '/')).toEqual({ modelName: 'ml-1m-sasrec', modelUrl: '/models/ml-1m-sasrec/', device: 'auto', testHooks: false });
  });
  it('reads model, device and hooks', () => {
    expect(readAppConfig('?model=tiny-test&device=wasm&hooks=1', '/app')).toEqual({
      modelName: 'tiny-test', modelUrl: '/app/models/tiny-test/', device: 'wasm', testHooks: true,
    });
  });
  it('ignores model names that could leave the models folder or the origin', () => {
    expect(readAppConfig('?model=..%2Fsecret', '/').modelName).toBe('ml-1m-sasrec');
    expect(readAppConfig('?model=https://evil.example/m', '/').modelName).toBe('ml-1m-sasrec');
    expect(readAppConfig('?device=tpu', '/').device).toBe('auto');
  });
});

describe('readAppConfig ?policy=', () => {
  it('is honoured only with ?hooks=1 and only as a JSON object', () => {
    expect(readAppConfig('?hooks=1&policy={"tolerance":5}', '/').policy).toEqual({ tolerance: 5 });
    expect(readAppConfig('?policy={"tolerance":5}', '/').policy).toBeUndefined();
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(readAppConfig('?hooks=1&policy=[1]', '/').policy).toBeUndefined();
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('must be a JSON object'));
    spy.mockRestore();
  });
});

describe('readAppConfig ?threads=0', () => {
  it('switches WASM threads off only with ?hooks=1', () => {
    expect(readAppConfig('?hooks=1&threads=0', '/').wasmThreads).toBe(false);
    expect(readAppConfig('?threads=0', '/').wasmThreads).toBeUndefined();
    expect(readAppConfig('?hooks=1', '/').wasmThreads).toBeUndefined();
  });
});
