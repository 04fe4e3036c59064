import 'fake-indexeddb/auto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLib, type LibBuild } from './buildLib';
import { ROOT } from './entries';
import { WASM_FILES } from './wasmFiles';

// Inside the repository, so the built Node entry resolves its dependencies from node_modules.
const OUT = join(ROOT, 'node_modules', '.cache', 'localrec-build-test');
let built: LibBuild;

beforeAll(async () => {
  built = await buildLib(OUT);
}, 180_000);
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

const read = (file: string) => readFileSync(join(OUT, file), 'utf8');

describe('npm run build:lib output', () => {
  it('the page entry and the React bindings contain no TensorFlow.js', () => {
    for (const name of ['localrec', 'localrec-react']) {
      expect(built.inputs[name].length).toBeGreaterThan(3);
      expect(built.inputs[name].filter((p) => p.includes('@tensorflow'))).toEqual([]);
    }
    expect(read('localrec.js')).not.toMatch(/tensorflow|tfjs-backend/i);
    // ...and the worker does: it is the engine.
    expect(built.inputs['localrec-worker'].some((p) => p.includes('@tensorflow/tfjs-backend-wasm'))).toBe(true);
  });

  it.runIf(existsSync(join(ROOT, 'src/widget/index.ts')))('the widget is one self-contained module without React or TensorFlow.js', () => {
    const inputs = built.inputs['localrec-widget'];
    expect(inputs.filter((p) => /node_modules\/(react|react-dom|@tensorflow)\//.test(p))).toEqual([]);
    expect(built.imports['localrec-widget']).toEqual([]);
    expect(read('localrec-widget.js')).toContain('localrec-worker.js');
  });

  it('the React bindings share the page entry instead of bundling a second copy', () => {
    // react-dom: flushSync renders the person's own re-ranks at once (useFeed); both are peers.
    expect(new Set(built.imports['localrec-react'])).toEqual(new Set(['react', 'react-dom', 'react/jsx-runtime', './localrec.js']));
    expect(built.imports.localrec).toEqual([]);
    expect(built.imports['localrec-worker']).toEqual([]);
    expect(built.inputs['localrec-react'].some((p) => p.includes('src/engine/'))).toBe(false);
    expect(built.inputs['localrec-react'].some((p) => p.includes('node_modules/react'))).toBe(false);
  });

  it('finds the worker beside itself, and the worker its WASM files beside it; the worker keeps its names', () => {
    expect(read('localrec.js')).toContain('localrec-worker.js');
    for (const f of [...WASM_FILES, 'localrec-worker.js']) expect(statSync(join(OUT, f)).size).toBeGreaterThan(1000);
    // Threaded WASM starts its pthreads from the factory's source text: a minified worker breaks it.
    expect(read('localrec-worker.js')).toContain('keepsThisName');
  });

  it('writes .d.ts for every entry, and every path in the exports map exists', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { types: string; exports: Record<string, string | Record<string, string>> };
    const targets: string[] = [pkg.types];
    for (const [key, value] of Object.entries(pkg.exports)) {
      if (key.includes('*') || key === './package.json') continue;
      if (key === './widget' && !built.widget) continue;
      targets.push(...(typeof value === 'string' ? [value] : Object.values(value)));
    }
    expect(targets.length).toBeGreaterThanOrEqual(7);
    for (const t of targets) {
      expect(t.startsWith('./dist-lib/'), t).toBe(true);
      expect(existsSync(join(OUT, t.slice('./dist-lib/'.length))), t).toBe(true);
    }
    expect(read('types/lib/index.d.ts')).toContain('createRecommender');
  });

  it('the built Node entry runs the engine in-process on a model folder on disk', async () => {
    const node = (await import(pathToFileURL(join(OUT, 'localrec-node.js')).href)) as typeof import('../../src/lib/node/index');
    const engine = node.createRecommender({ modelUrl: pathToFileURL(join(ROOT, 'public/models/tiny-test/')).href, fetch: node.fileFetch, cache: null, device: 'cpu', namespace: 'built-node' });
    try {
      expect((await engine.ready).numItems).toBe(48);
      await engine.record({ itemId: 10, type: 'like', at: 1 });
      expect((await engine.recommend({ count: 1, discover: 0 }))[0]).toMatchObject({ itemId: 11, source: 'model' });
    } finally {
      await engine.dispose();
    }
  });
});
