import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

/** A plain static file server, like GitHub Pages: content types only, no COOP/COEP/CSP. */
export interface StaticServer {
  url: string;
  /** Serves another folder from now on (a new deployment). */
  setRoot(dir: string): void;
  /** Starts listening again after stop() (same port). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a static server for `dir` on `port` (tests only). */
export async function startStaticServer(dir: string, port: number): Promise<StaticServer> {
  let root = dir;
  let server: Server | null = null;
  const handle = (path: string): { file: string; size: number } | null => {
    const rel = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, '');
    for (const candidate of [join(root, rel), join(root, rel, 'index.html')]) {
      try {
        const st = statSync(candidate);
        if (st.isFile()) return { file: candidate, size: st.size };
      } catch {
        // not this candidate; try the next
      }
    }
    return null;
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        const found = handle(new URL(req.url ?? '/', 'http://x').pathname);
        if (!found) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
          return;
        }
        res.writeHead(200, { 'content-type': TYPES[extname(found.file)] ?? 'application/octet-stream', 'content-length': found.size, 'cache-control': 'no-cache' });
        createReadStream(found.file).pipe(res);
      });
      server.once('error', reject);
      server.listen(port, 'localhost', () => resolve());
    });
  await listen();
  return {
    url: `http://localhost:${port}`,
    setRoot(next) {
      root = next;
    },
    start: listen,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        const s = server;
        server = null;
        s.closeAllConnections();
        s.close(() => resolve());
      }),
  };
}
