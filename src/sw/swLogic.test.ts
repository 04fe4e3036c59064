import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../site/securityHeaders';
import { hostIsolates, imageCacheName, isShellFile, routeRequest, shellCacheName, withSecurityHeaders } from './swLogic';

const SCOPE = 'https://example.org/demo/';
const shell = new Set(['index.html', 'assets/index-abc.js', 'assets/tfjs-backend-wasm-simd-x.wasm', 'manifest.webmanifest']);
const get = (url: string, mode = 'no-cors') => ({ url, method: 'GET', mode });

describe('service worker routing', () => {
  it('serves the page (any query) and the build files from the shell cache', () => {
    expect(routeRequest(get(`${SCOPE}?model=tiny-test&hooks=1`, 'navigate'), SCOPE, shell)).toEqual({ kind: 'shell', url: `${SCOPE}index.html` });
    expect(routeRequest(get(`${SCOPE}index.html`, 'navigate'), SCOPE, shell)).toEqual({ kind: 'shell', url: `${SCOPE}index.html` });
    expect(routeRequest(get(`${SCOPE}assets/index-abc.js`), SCOPE, shell)).toEqual({ kind: 'shell', url: `${SCOPE}assets/index-abc.js` });
  });

  it('leaves model files to the network (the engine caches them), answers the probe, ignores the rest', () => {
    expect(routeRequest(get(`${SCOPE}models/m/weights.bin`), SCOPE, shell)).toEqual({ kind: 'network' });
    expect(routeRequest(get(`${SCOPE}assets/other-build.js`), SCOPE, shell)).toEqual({ kind: 'network' });
    expect(routeRequest(get(`${SCOPE}__localrec/isolation`), SCOPE, shell)).toEqual({ kind: 'probe' });
    expect(routeRequest({ ...get(`${SCOPE}index.html`), method: 'POST' }, SCOPE, shell)).toEqual({ kind: 'ignore' });
    expect(routeRequest(get('https://elsewhere.example/x.js'), SCOPE, shell)).toEqual({ kind: 'ignore' });
    expect(routeRequest(get('https://example.org/other-app/'), SCOPE, shell)).toEqual({ kind: 'ignore' });
  });

  it('keeps catalog pictures (outside the model folders) for offline use, whatever the query', () => {
    expect(routeRequest(get(`${SCOPE}img/cover.png`), SCOPE, shell)).toEqual({ kind: 'image', url: `${SCOPE}img/cover.png` });
    expect(routeRequest(get(`${SCOPE}covers/a%20b.JPG?v=2`), SCOPE, shell)).toEqual({ kind: 'image', url: `${SCOPE}covers/a%20b.JPG` });
    expect(routeRequest(get(`${SCOPE}models/m/thumb.png`), SCOPE, shell)).toEqual({ kind: 'network' });
    expect(routeRequest(get(`${SCOPE}img/notes.txt`), SCOPE, shell)).toEqual({ kind: 'network' });
    expect(routeRequest(get('https://cdn.example/img/cover.png'), SCOPE, shell)).toEqual({ kind: 'ignore' });
  });

  it('names one cache per build, and its pictures cache under the same prefix', () => {
    expect(shellCacheName('0123abcd')).toBe('localrec-shell-0123abcd');
    expect(imageCacheName('0123abcd')).toBe('localrec-shell-0123abcd-images');
  });

  it('precaches the app shell only: no models, source maps, host files or the worker itself', () => {
    const keep = ['index.html', 'manifest.webmanifest', 'assets/index-abc.js', 'assets/x.wasm', 'assets/index.css', 'icons/icon-192.png'];
    const drop = ['sw.js', 'assets/index-abc.js.map', 'models/m/weights.bin', 'models/m/catalog.json', '_headers', 'nginx.conf', 'images/cover.png', 'DEPLOY.md'];
    for (const p of keep) expect(isShellFile(p), p).toBe(true);
    for (const p of drop) expect(isShellFile(p), p).toBe(false);
  });
});

describe('headers the service worker adds', () => {
  it('adds COOP, COEP and the CSP where the host sent none', () => {
    const res = withSecurityHeaders(new Response('x', { headers: { 'content-type': 'text/html' } }));
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(hostIsolates(res.headers)).toBe(true);
  });

  it('keeps what the host sent, and tells whether the host isolates on its own', async () => {
    const host = new Response('body', { status: 201, headers: { 'Content-Security-Policy': "default-src 'none'" } });
    const res = withSecurityHeaders(host);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('body');
    expect(hostIsolates(new Headers())).toBe(false);
    expect(hostIsolates(new Headers({ 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'credentialless' }))).toBe(true);
    expect(hostIsolates(new Headers({ 'Cross-Origin-Opener-Policy': 'same-origin-allow-popups', 'Cross-Origin-Embedder-Policy': 'require-corp' }))).toBe(false);
  });

  it('public/_headers (Netlify, Cloudflare) sends the same headers as the dev server and the service worker', () => {
    const text = readFileSync(join(import.meta.dirname, '../../public/_headers'), 'utf8');
    for (const [name, value] of Object.entries(securityHeaders())) expect(text).toContain(`  ${name}: ${value}\n`);
  });
});
