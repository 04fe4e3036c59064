import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** Content types the widget, its worker, WASM and model folders need (wrong ones break module/WASM loading). */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** A URL prefix served from a folder with its own response headers. */
export interface Route {
  prefix: string;
  dir: string;
  headers?: Record<string, string>;
}

/** One request the server answered (tests assert on method, path and status). */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export interface StaticServer {
  origin: string;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

/**
 * A small static file server (node:http) with per-route headers, ETags (so a reload revalidates
 * with 304s, as a CDN would) and a request log. Only GET and HEAD are served.
 */
export async function startStaticServer(port: number, routes: Route[], host = 'localhost'): Promise<StaticServer> {
  const requests: LoggedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, headers: Record<string, string> = {}, body?: string) => {
      requests.push({ method: req.method ?? '?', path, status });
      res.writeHead(status, headers);
      res.end(body);
    };
    const route = routes.filter((r) => path.startsWith(r.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (!route) return send(404, {}, 'no route');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { ...route.headers, Allow: 'GET, HEAD' });
    const root = resolve(route.dir);
    const file = normalize(join(root, path.slice(route.prefix.length)));
    if (file !== root && !file.startsWith(root + sep)) return send(403, route.headers);
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return send(404, route.headers, 'not found');
    }
    if (!stat.isFile()) return send(404, route.headers, 'not a file');
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const headers = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
      ...route.headers,
    };
    if (req.headers['if-none-match'] === etag) return send(304, headers);
    requests.push({ method: req.method, path, status: 200 });
    res.writeHead(200, { ...headers, 'Content-Length': String(stat.size) });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  return {
    origin: `http://${host}:${port}`,
    requests,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
