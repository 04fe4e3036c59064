import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer, type StaticServer } from './staticServer';

/** Headers the widget's origin (a CDN) must send so other sites can load it, also when they are cross-origin isolated. */
export const WIDGET_ORIGIN_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** Headers that make the host page cross-origin isolated (WASM threads). */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The host CSP docs/EMBED.md asks for, with the widget on `widgetOrigin`: the widget script from
 * that origin, WASM compilation, the worker shim (a blob) and the worker module it imports (a
 * module worker's imports count as worker loads), model files over fetch. `blob:` in script-src is
 * only needed for WASM threads (tfjs starts them from blobs). `img-src` is the host page's own (its icon).
 */
export function hostCsp(widgetOrigin: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${widgetOrigin} 'wasm-unsafe-eval' blob:`,
    `worker-src blob: ${widgetOrigin}`,
    `connect-src 'self' ${widgetOrigin}`,
    "style-src 'self'",
    "img-src 'self' data:",
  ].join('; ');
}

/**
 * Serves examples/plain-html/ at /, dist-lib/ at /localrec/ and public/models/ at /models/ on one
 * origin, with the widget headers (`npm run example:plain-html`, and its e2e test).
 */
export function startPlainHtmlExample(port: number): Promise<StaticServer> {
  return startStaticServer(port, [
    { prefix: '/localrec/', dir: 'dist-lib', headers: WIDGET_ORIGIN_HEADERS },
    { prefix: '/models/', dir: 'public/models', headers: WIDGET_ORIGIN_HEADERS },
    { prefix: '/', dir: 'examples/plain-html' },
  ]);
}

/** The two origins of the embed tests: the widget + models on one, host pages on the other. */
export interface EmbedOrigins {
  widget: StaticServer;
  host: StaticServer;
  /** Writes a host page (a static file) and returns its URL under a header profile. */
  page(name: string, html: string, profile?: 'plain' | 'isolated' | 'csp' | 'csp-isolated'): string;
  close(): Promise<void>;
}

/**
 * Starts the widget origin (`http://127.0.0.1:<widgetPort>`: `/localrec/` = dist-lib, `/models/`)
 * and the host origin (`http://localhost:<hostPort>`), a different site, whose pages are served
 * under `/plain/` (no special headers), `/isolated/` (COOP/COEP), `/csp/` and `/csp-isolated/`.
 */
export async function startEmbedOrigins(widgetPort: number, hostPort: number, libDir = 'dist-lib', modelsDir = 'public/models'): Promise<EmbedOrigins> {
  const hostDir = mkdtempSync(join(tmpdir(), 'localrec-host-'));
  writeFileSync(join(hostDir, 'host.js'), HOST_JS);
  writeFileSync(join(hostDir, 'host.css'), HOST_CSS);
  const widget = await startStaticServer(widgetPort, [
    { prefix: '/localrec/', dir: libDir, headers: WIDGET_ORIGIN_HEADERS },
    { prefix: '/models/', dir: modelsDir, headers: WIDGET_ORIGIN_HEADERS },
  ], '127.0.0.1');
  const csp = { 'Content-Security-Policy': hostCsp(widget.origin) };
  const noStore = { 'Cache-Control': 'no-store' };
  const host = await startStaticServer(hostPort, [
    { prefix: '/plain/', dir: hostDir, headers: noStore },
    { prefix: '/isolated/', dir: hostDir, headers: { ...noStore, ...ISOLATION_HEADERS } },
    { prefix: '/csp/', dir: hostDir, headers: { ...noStore, ...csp } },
    { prefix: '/csp-isolated/', dir: hostDir, headers: { ...noStore, ...csp, ...ISOLATION_HEADERS } },
  ]);
  return {
    widget,
    host,
    page(name, html, profile = 'plain') {
      writeFileSync(join(hostDir, name), html);
      return `${host.origin}/${profile}/${name}`;
    },
    async close() {
      await Promise.all([widget.close(), host.close()]);
      rmSync(hostDir, { recursive: true, force: true });
    },
  };
}

/**
 * A plain host page: its own CSS that would wreck any button it reaches, its own button and
 * script (host.js, so the page keeps working checks need no inline script), the widget script
 * from the widget origin, and the given elements.
 */
export function hostPage(widgetOrigin: string, elements: Record<string, string>[], extraBody = ''): string {
  const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const tags = elements.map((attrs) => `<localrec-feed ${Object.entries(attrs).map(([k, v]) => `${k}="${attr(v)}"`).join(' ')}></localrec-feed>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A host shop</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="host.css">
<script type="module" src="${widgetOrigin}/localrec/localrec-widget.js"></script>
<script type="module" src="host.js"></script>
</head><body>
<h1>Host page</h1>
<button id="host-button" type="button">Host button</button> <output id="host-count">0</output>
${tags}
${extraBody}
</body></html>`;
}

/** The host's own CSS: it would wreck any button or list it reached; and the two ways it may theme the widget. */
export const HOST_CSS = `button { background: red !important; color: yellow !important; font-size: 40px !important; }
li { display: inline !important; }
* { font-family: serif !important; }
localrec-feed { --localrec-card-bg: rgb(250, 240, 230); }
localrec-feed::part(title) { color: rgb(0, 0, 128); }
`;

/** The host page's own script: proves the page keeps working whatever the widget does. */
export const HOST_JS = `document.getElementById('host-button').addEventListener('click', () => {
  const out = document.getElementById('host-count');
  out.textContent = String(Number(out.textContent) + 1);
});
`;
