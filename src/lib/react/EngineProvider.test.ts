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
const seen = { personChange: null as boolean | null, revision: -1 };
function PersonChange() { seen.personChange = useEngineSelector((l) => l.personChange); seen.revision = useEngineSelector((l) => l.revision); return null; }
let invalidate: (() => void) | null = null;
function Invalidate() { invalidate = useEngineCore().invalidate; return null; }

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

  it('marks a re-rank caused by this page\'s own interaction (rendered at once by useFeed), and no other', async () => {
    const root = createRoot(document.createElement('div'));
    await act(async () => root.render(tree([PersonChange, Invalidate].map((c) => createElement(c, { key: c.name })))));
    await act(async () => { await engine?.ready; });
    await settle();
    const e = engine as Recommender;
    expect(seen.personChange).toBe(false);
    const start = seen.revision;
    await act(async () => { await e.record({ itemId: 3, type: 'like', at: 1 }); });
    await settle();
    expect(seen.revision).toBe(start + 1);
    expect(seen.personChange).toBe(true);
    // A re-read asked for by the page (as after an import) is not a person's interaction.
    await act(async () => { invalidate?.(); });
    await settle();
    expect(seen.revision).toBe(start + 2);
    expect(seen.personChange).toBe(false);
    // New weights (a reset here) re-rank in a transition.
    await act(async () => { await e.record({ itemId: 4, type: 'like', at: 2 }); });
    await settle();
    expect(seen.personChange).toBe(true);
    await act(async () => { await e.resetModel(); });
    await settle();
    expect(seen.personChange).toBe(false);
    await act(async () => root.unmount());
    await settle();
  });
});
