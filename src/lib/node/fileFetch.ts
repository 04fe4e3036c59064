import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FetchLike } from '../../engine/loading/fetchModelFiles';

/**
 * A fetch for Node that also reads `file://` URLs (Node's own fetch does not), so a model folder
 * on disk can be loaded like a hosted one. Other URLs go to the global fetch. A missing file
 * answers 404, which the loader reports as a ModelLoadError naming the file.
 *
 * @example
 * import { pathToFileURL } from 'node:url';
 * const engine = createRecommender({ modelUrl: pathToFileURL('public/models/tiny-test/').href, fetch: fileFetch, cache: null });
 */
export const fileFetch: FetchLike = async (url, init) => {
  if (!url.startsWith('file:')) return fetch(url, init);
  try {
    const bytes = await readFile(fileURLToPath(url));
    return new Response(new Uint8Array(bytes));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return new Response(`not found: ${url}`, { status: 404, statusText: 'Not Found' });
    throw err;
  }
};
