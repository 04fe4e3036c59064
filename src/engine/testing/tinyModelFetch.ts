import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Base URL the tests serve the shipped tiny model under. */
export const TINY_MODEL_URL = 'http://test.local/models/tiny-test/';
const DIR = join(import.meta.dirname, '../../../public/models/tiny-test');

export interface FakeFetch {
  (url: string, init?: RequestInit): Promise<Response>;
  /** URLs requested, in order. */
  calls: string[];
}

/**
 * A fetch that serves public/models/tiny-test from disk (tests only). `tamper` may replace a
 * file's bytes or return null for a 404. With `rehash` the served manifest.json lists the tampered
 * files' sizes and sha256 (a consistent new model version) instead of the originals (corruption).
 */
export function tinyModelFetch(tamper: (file: string, bytes: Uint8Array) => Uint8Array | null = (_f, b) => b, opts: { rehash?: boolean } = {}): FakeFetch {
  const calls: string[] = [];
  const rehashed = (): Uint8Array => {
    const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { files: { path: string; bytes: number; sha256: string }[] };
    for (const f of manifest.files) {
      const out = tamper(f.path, new Uint8Array(readFileSync(join(DIR, f.path))));
      if (!out) continue;
      f.bytes = out.byteLength;
      f.sha256 = createHash('sha256').update(out).digest('hex');
    }
    return new TextEncoder().encode(JSON.stringify(manifest));
  };
  const f = async (url: string): Promise<Response> => {
    calls.push(url);
    if (!url.startsWith(TINY_MODEL_URL)) return new Response('not found', { status: 404 });
    const file = url.slice(TINY_MODEL_URL.length);
    if (opts.rehash && file === 'manifest.json') return new Response(rehashed().slice().buffer as ArrayBuffer);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(DIR, file)));
    } catch {
      return new Response('not found', { status: 404 });
    }
    const out = tamper(file, bytes);
    return out ? new Response(out.slice().buffer as ArrayBuffer) : new Response('not found', { status: 404 });
  };
  return Object.assign(f, { calls });
}

export function tinyModelFile(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, file)));
}
