import { describe, expect, it } from 'vitest';
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
