import { describe, expect, it } from 'vitest';
import { describeIsolation, type IsolationFacts } from './isolation';

const base: IsolationFacts = { crossOriginIsolated: false, controlled: false, hostIsolates: null, noServiceWorker: null, reloadedForIsolation: false };

describe('describeIsolation', () => {
  it('credits the host when its own headers isolate the page, with or without the service worker', () => {
    expect(describeIsolation({ ...base, crossOriginIsolated: true }).mode).toBe('host');
    expect(describeIsolation({ ...base, crossOriginIsolated: true, controlled: true, hostIsolates: true }).mode).toBe('host');
  });

  it('credits the service worker when the host sent no headers', () => {
    const r = describeIsolation({ ...base, crossOriginIsolated: true, controlled: true, hostIsolates: false });
    expect(r.mode).toBe('service-worker');
    expect(r.reason).toContain('no COOP/COEP');
  });

  it('says why the page is not isolated', () => {
    expect(describeIsolation({ ...base, noServiceWorker: 'service workers need https or localhost' }).reason).toContain('https or localhost');
    expect(describeIsolation({ ...base, controlled: true }).reason).toContain('still not isolated');
    expect(describeIsolation({ ...base, reloadedForIsolation: true }).reason).toContain('hard reload');
    expect(describeIsolation(base).reason).toContain('still being installed');
    for (const f of [base, { ...base, controlled: true }]) expect(describeIsolation(f).mode).toBe('none');
  });
});
