import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors';
import type { ProgressEvent } from '../recommender/types';
import { TINY_MODEL_URL, tinyModelFetch, tinyModelFile } from '../testing/tinyModelFetch';
import { cacheKey, commitModelToCache, deleteModelFromCache, fetchManifest, fetchModelFiles, hasModelInCache, requiredFiles, resolveModelUrl } from './fetchModelFiles';
import { memoryFileCache } from './fileCache';

describe('model file loading', () => {
  it('resolves folder URLs with a trailing slash', () => {
    expect(resolveModelUrl('http://x/models/a')).toBe('http://x/models/a/');
    expect(resolveModelUrl('/models/a/')).toBe('http://localhost/models/a/');
  });

  it('downloads the catalog first, then the model, with byte progress across files, and caches them', async () => {
    const fetch = tinyModelFetch();
    const cache = memoryFileCache();
    const events: ProgressEvent[] = [];
    const manifest = await fetchManifest(TINY_MODEL_URL, { fetch, cache });
    const paths = requiredFiles(manifest);
    expect(paths).toEqual(['catalog.json', 'model.json', 'weights.bin']);
    const files = await fetchModelFiles(TINY_MODEL_URL, manifest, paths, { fetch, cache, onProgress: (e) => events.push(e) });
    expect(new Uint8Array(files.get('weights.bin') as ArrayBuffer)).toEqual(tinyModelFile('weights.bin'));
    const total = paths.reduce((s, p) => s + tinyModelFile(p).byteLength, 0);
    const progress = events.filter((e): e is Extract<ProgressEvent, { status: 'progress' }> => e.status === 'progress');
    expect(progress.every((e) => e.overallTotal === total)).toBe(true);
    expect(progress[progress.length - 1].overallLoaded).toBe(total);
    for (let i = 1; i < progress.length; i++) expect(progress[i].overallLoaded).toBeGreaterThanOrEqual(progress[i - 1].overallLoaded);
    expect(events.filter((e) => e.status === 'done').map((e) => e.status === 'done' && e.file)).toEqual(paths);
    expect(await hasModelInCache(TINY_MODEL_URL, cache)).toBe(false); // not committed yet
    await commitModelToCache(TINY_MODEL_URL, manifest, cache);
    expect(await hasModelInCache(TINY_MODEL_URL, cache)).toBe(true);

    // Second load: everything from the cache, no file downloads (only the manifest is re-checked).
    const before = fetch.calls.length;
    const again: ProgressEvent[] = [];
    await fetchModelFiles(TINY_MODEL_URL, manifest, paths, { fetch, cache, onProgress: (e) => again.push(e) });
    expect(fetch.calls.length).toBe(before);
    expect(again.filter((e) => e.status === 'done').every((e) => e.status === 'done' && e.fromCache)).toBe(true);

    await deleteModelFromCache(TINY_MODEL_URL, cache);
    expect(await hasModelInCache(TINY_MODEL_URL, cache)).toBe(false);
    expect(cache.entries.size).toBe(0);
  });

  it('a corrupted download is a MODEL_INTEGRITY error naming the file and is not cached', async () => {
    const cache = memoryFileCache();
    const corrupt = tinyModelFetch((f, b) => (f === 'weights.bin' ? b.map((x, i) => (i === 0 ? x ^ 1 : x)) : b));
    const manifest = await fetchManifest(TINY_MODEL_URL, { fetch: corrupt, cache });
    const err = await fetchModelFiles(TINY_MODEL_URL, manifest, requiredFiles(manifest), { fetch: corrupt, cache }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(err).toMatchObject({ code: 'MODEL_INTEGRITY' });
    expect((err as Error).message).toContain('"weights.bin" is corrupted');
    const weights = manifest.files.find((f) => f.path === 'weights.bin')!;
    expect(cache.entries.has(cacheKey(TINY_MODEL_URL, weights))).toBe(false);
    // Retry with a good server works.
    const ok = await fetchModelFiles(TINY_MODEL_URL, manifest, requiredFiles(manifest), { fetch: tinyModelFetch(), cache });
    expect(ok.size).toBe(3);
  });

  it('a damaged cached copy is evicted and downloaded again', async () => {
    const cache = memoryFileCache();
    const fetch = tinyModelFetch();
    const manifest = await fetchManifest(TINY_MODEL_URL, { fetch, cache });
    await cache.put(cacheKey(TINY_MODEL_URL, manifest.files.find((f) => f.path === 'model.json')!), new TextEncoder().encode('{"broken":').buffer as ArrayBuffer);
    const files = await fetchModelFiles(TINY_MODEL_URL, manifest, ['model.json'], { fetch, cache });
    expect(new Uint8Array(files.get('model.json') as ArrayBuffer)).toEqual(tinyModelFile('model.json'));
    expect(fetch.calls).toContain(`${TINY_MODEL_URL}model.json`);
  });

  it('a missing file is MODEL_LOAD_FAILED naming it', async () => {
    const fetch = tinyModelFetch((f, b) => (f === 'model.json' ? null : b));
    const manifest = await fetchManifest(TINY_MODEL_URL, { fetch });
    const err = await fetchModelFiles(TINY_MODEL_URL, manifest, requiredFiles(manifest), { fetch, cache: null }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ModelLoadError', code: 'MODEL_LOAD_FAILED' });
    expect((err as Error).message).toContain('"model.json"');
    expect((err as Error).message).toContain('404');
  });

  it('a missing or malformed manifest is reported', async () => {
    const gone = tinyModelFetch((f, b) => (f === 'manifest.json' ? null : b));
    await expect(fetchManifest(TINY_MODEL_URL, { fetch: gone })).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    const junk = tinyModelFetch((f, b) => (f === 'manifest.json' ? new TextEncoder().encode('{"format":"x"}') : b));
    await expect(fetchManifest(TINY_MODEL_URL, { fetch: junk })).rejects.toMatchObject({ code: 'MODEL_FORMAT' });
  });

  it('offline, the committed manifest is used', async () => {
    const cache = memoryFileCache();
    await commitModelToCache(TINY_MODEL_URL, await fetchManifest(TINY_MODEL_URL, { fetch: tinyModelFetch(), cache }), cache);
    const offline = async () => { throw new TypeError('network down'); };
    const m = await fetchManifest(TINY_MODEL_URL, { fetch: offline, cache });
    expect(m.name).toBe('tiny-test');
  });

  it('a new manifest replaces the cached model cleanly; an interrupted update leaves the old one usable offline', async () => {
    const cache = memoryFileCache();
    const v1 = tinyModelFetch();
    const m1 = await fetchManifest(TINY_MODEL_URL, { fetch: v1, cache });
    await fetchModelFiles(TINY_MODEL_URL, m1, requiredFiles(m1), { fetch: v1, cache });
    await commitModelToCache(TINY_MODEL_URL, m1, cache);
    const v1Keys = [...cache.entries.keys()].sort();

    // Version 2 changes the weights (and so the manifest's sha256 of weights.bin).
    const v2 = tinyModelFetch((f, b) => (f === 'weights.bin' ? b.map((x, i) => (i === 0 ? x ^ 1 : x)) : b), { rehash: true });
    const m2 = await fetchManifest(TINY_MODEL_URL, { fetch: v2, cache });
    expect(m2.files.find((f) => f.path === 'weights.bin')!.sha256).not.toBe(m1.files.find((f) => f.path === 'weights.bin')!.sha256);
    // Interrupted after the catalog: the cache still answers with version 1 as a whole.
    await fetchModelFiles(TINY_MODEL_URL, m2, ['catalog.json'], { fetch: v2, cache });
    const offline = async (): Promise<Response> => { throw new TypeError('network down'); };
    const cachedManifest = await fetchManifest(TINY_MODEL_URL, { fetch: offline, cache });
    expect(cachedManifest).toEqual(m1);
    const old = await fetchModelFiles(TINY_MODEL_URL, cachedManifest, requiredFiles(cachedManifest), { fetch: offline, cache });
    expect(new Uint8Array(old.get('weights.bin')!)).toEqual(tinyModelFile('weights.bin'));

    // The complete update: only version 2's files remain, each once.
    await fetchModelFiles(TINY_MODEL_URL, m2, requiredFiles(m2), { fetch: v2, cache });
    await commitModelToCache(TINY_MODEL_URL, m2, cache);
    const keys = [...cache.entries.keys()].sort();
    expect(keys).toEqual([`${TINY_MODEL_URL}manifest.json`, ...requiredFiles(m2).map((p) => cacheKey(TINY_MODEL_URL, m2.files.find((f) => f.path === p)!))].sort());
    expect(keys).not.toEqual(v1Keys);
    const now = await fetchModelFiles(TINY_MODEL_URL, m2, ['weights.bin'], { fetch: offline, cache });
    expect(new Uint8Array(now.get('weights.bin')!)[0]).toBe(tinyModelFile('weights.bin')[0] ^ 1);
  });
});
