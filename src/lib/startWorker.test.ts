import { afterEach, describe, expect, it, vi } from 'vitest';
import { folderOf } from './folderOf';
import { defaultWorkerUrl, needsWorkerShim, startWorker, WORKER_FILE, workerShimSource } from './startWorker';

/** Records how `startWorker` constructs workers (Node has no Worker global). */
class FakeWorker {
  static made: { url: string; options: WorkerOptions | undefined }[] = [];
  constructor(url: string | URL, options?: WorkerOptions) {
    FakeWorker.made.push({ url: String(url), options });
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeWorker.made = [];
});

describe('where the worker and its WASM files are found', () => {
  it('the worker sits beside the library module, whatever host serves it', () => {
    expect(defaultWorkerUrl('https://cdn.example/localrec/1.0/localrec.js').href).toBe(`https://cdn.example/localrec/1.0/${WORKER_FILE}`);
    expect(defaultWorkerUrl('http://localhost:8080/dist-lib/localrec.js?v=3').href).toBe('http://localhost:8080/dist-lib/localrec-worker.js');
  });

  it('the worker looks for WASM files in its own folder (query and hash dropped)', () => {
    expect(folderOf('https://cdn.example/lib/localrec-worker.js')).toBe('https://cdn.example/lib/');
    expect(folderOf('http://localhost:5173/src/lib/worker.ts?worker_file&type=module')).toBe('http://localhost:5173/src/lib/');
    expect(folderOf('http://a.test/x/y/#h')).toBe('http://a.test/x/y/');
  });

  it('needs a shim exactly when the worker is on another origin (scheme, host or port)', () => {
    const page = 'https://shop.example/products/42';
    expect(needsWorkerShim('/localrec/localrec-worker.js', page)).toBe(false);
    expect(needsWorkerShim('https://shop.example/x/localrec-worker.js', page)).toBe(false);
    expect(needsWorkerShim('https://cdn.example/localrec-worker.js', page)).toBe(true);
    expect(needsWorkerShim('http://shop.example/localrec-worker.js', page)).toBe(true);
    expect(needsWorkerShim('https://shop.example:8443/localrec-worker.js', page)).toBe(true);
  });

  it('the shim imports the absolute worker URL, quoted safely', () => {
    expect(workerShimSource('https://cdn.example/a"b/localrec-worker.js')).toBe('import "https://cdn.example/a\\"b/localrec-worker.js";\n');
  });
});

describe('startWorker', () => {
  it('starts a same-origin worker directly as a module worker', () => {
    vi.stubGlobal('Worker', FakeWorker);
    vi.stubGlobal('location', new URL('https://shop.example/page'));
    startWorker('/lib/localrec-worker.js');
    expect(FakeWorker.made).toEqual([{ url: 'https://shop.example/lib/localrec-worker.js', options: { type: 'module', name: 'localrec' } }]);
  });

  it('starts a cross-origin worker from a same-origin blob that imports it', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    vi.stubGlobal('location', new URL('https://shop.example/page'));
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:https://shop.example/1234';
    });
    startWorker(new URL('https://cdn.example/localrec/localrec-worker.js'));
    expect(FakeWorker.made).toEqual([{ url: 'blob:https://shop.example/1234', options: { type: 'module', name: 'localrec' } }]);
    expect(await blobs[0].text()).toBe('import "https://cdn.example/localrec/localrec-worker.js";\n');
    expect(blobs[0].type).toBe('text/javascript');
    vi.restoreAllMocks();
  });

  it('fails with a typed error where there are no workers (Node)', () => {
    expect(() => startWorker('https://x.test/localrec-worker.js')).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
  });
});
