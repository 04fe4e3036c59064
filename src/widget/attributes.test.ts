import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT, DEFAULT_WIDGET_DISCOVER, fillItemHref, parseFeedAttributes, widgetNamespace } from './attributes';

const BASE = 'https://shop.example/products/42';
const parse = (attrs: Record<string, string>) => parseFeedAttributes((n) => attrs[n] ?? null, BASE);

describe('parseFeedAttributes', () => {
  it('fills defaults and resolves a relative model folder against the page', () => {
    const r = parse({ model: '/models/ml-1m-sasrec' });
    expect(r).toEqual({
      ok: true,
      config: { modelUrl: 'https://shop.example/models/ml-1m-sasrec/', limit: DEFAULT_LIMIT, discover: DEFAULT_WIDGET_DISCOVER, device: 'auto', consentRequired: false, itemHref: null },
    });
  });

  it('reads every attribute', () => {
    const r = parse({ model: 'https://cdn.example/m/tiny/?v=2#x', limit: ' 5 ', discover: '0.8', device: 'wasm', consent: 'required', 'item-href': '/p/{externalId}' });
    expect(r.ok && r.config).toEqual({ modelUrl: 'https://cdn.example/m/tiny/', limit: 5, discover: 0.8, device: 'wasm', consentRequired: true, itemHref: '/p/{externalId}' });
  });

  it.each([
    [{ limit: '12px' }, 'limit', 'whole number from 1 to 100'],
    [{ limit: '0' }, 'limit', 'whole number'],
    [{ limit: '101' }, 'limit', 'whole number'],
    [{ limit: '2.5' }, 'limit', 'whole number'],
    [{ discover: 'lots' }, 'discover', 'from 0 (familiar) to 1'],
    [{ discover: '1.5' }, 'discover', 'from 0'],
    [{ discover: '' }, 'discover', 'from 0'],
    [{ device: 'gpu' }, 'device', 'auto, webgpu, wasm, cpu'],
    [{ consent: 'yes' }, 'consent', '"required"'],
    [{ 'item-href': '/p/' }, 'item-href', '{id}'],
  ])('rejects %j with a message naming what is accepted', (attrs, attribute, text) => {
    const r = parse({ model: '/m/', ...attrs });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].attribute).toBe(attribute);
    expect(r.problems[0].message).toContain(text);
  });

  it('lists all problems at once, including a missing or non-http model', () => {
    const r = parse({ limit: 'x', device: 'tpu' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.attribute)).toEqual(['model', 'limit', 'device']);
    const js = parse({ model: 'javascript:alert(1)' });
    expect(!js.ok && js.problems[0].message).toContain('http(s)');
    const bad = parseFeedAttributes((n) => (n === 'model' ? 'http://[::1' : null), 'about:blank');
    expect(!bad.ok && bad.problems[0].message).toContain('is not a URL');
  });
});

describe('widgetNamespace / fillItemHref', () => {
  it('names one namespace per model folder, apart from the host databases', () => {
    expect(widgetNamespace('https://cdn.example/models/ml-1m-sasrec/')).toBe('widget:cdn.example:ml-1m-sasrec');
    expect(widgetNamespace('http://localhost:4342/models/tiny-test/')).toBe('widget:localhost:4342:tiny-test');
  });

  it('fills {id} and {externalId}, URL-encoded, relative to the page', () => {
    expect(fillItemHref('/movies/{id}?ext={externalId}', { id: 7, externalId: 'a b/c' }, BASE)).toBe('https://shop.example/movies/7?ext=a%20b%2Fc');
  });
});
