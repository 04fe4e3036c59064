// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { act, createElement, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import type { Recommender } from 'localrec';
import { createRecommender, fileFetch } from 'localrec/node';
import { EngineProvider } from './EngineProvider';
import { useEngine, useEngineCore, useEngineSelector } from './useEngine';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const renders = { core: 0, revision: 0, status: 0, discover: 0, everything: 0 };
let engine: Recommender | null = null;
function Core() { useEngineCore(); renders.core++; return null; }
function Revision() { useEngineSelector((l) => l.revision); renders.revision++; return null; }
function Status() { useEngineSelector((l) => l.state?.status ?? null); renders.status++; return null; }
function Discover() { useEngineSelector((l) => l.state?.settings.discover ?? null); renders.discover++; return null; }
function Everything() { useEngine(); renders.everything++; return null; }

let ns = 0;
const settle = () => act(() => new Promise<void>((resolve) => setTimeout(resolve, 50)));
afterEach(async () => { ns++; });

// The CPU backend: under happy-dom tfjs-wasm takes the page for a browser and fetches its binary.
function tree(children: ReactNode) {
  return createElement(EngineProvider, {
    options: { modelUrl: pathToFileURL('public/models/tiny-test/').href, device: 'cpu', namespace: `provider${ns}`, policy: { learnAfter: 1000 } },
    createEngine: (o) => createRecommender({ ...o, fetch: fileFetch, cache: null }),
    onEngine: (e) => { engine = e; },
    children,
  });
}

describe('EngineProvider: a change re-renders only the components that select it', () => {
  it('an interaction re-renders revision and status readers, not core-only or settings readers; a setting only its readers', async () => {
    const root = createRoot(document.createElement('div'));
    await act(async () => root.render(tree([Core, Revision, Status, Discover, Everything].map((c) => createElement(c, { key: c.name })))));
    await act(async () => { await engine?.ready; });
    await settle();
    const e = engine as Recommender;
    const start = { ...renders };

    await act(async () => { await e.record({ itemId: 3, type: 'like', at: 1 }); });
    await settle();
    expect(renders.core).toBe(start.core);
    expect(renders.discover).toBe(start.discover);
    expect(renders.revision).toBe(start.revision + 1);
    expect(renders.status).toBe(start.status + 1);
    expect(renders.everything).toBe(start.everything + 1);

    const mid = { ...renders };
    await act(async () => { await e.setSettings({ discover: 0.75 }); });
    await settle();
    expect(renders.core).toBe(mid.core);
    expect(renders.revision).toBe(mid.revision);
    expect(renders.status).toBe(mid.status); // same status fields: identity kept
    expect(renders.discover).toBe(mid.discover + 1);
    await act(async () => root.unmount());
    await settle();
  });
});
