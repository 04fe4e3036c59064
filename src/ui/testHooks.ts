import type { Recommender } from 'localrec';

declare global {
  interface Window {
    /** Present only with `?hooks=1`: lets e2e tests and `npm run bench:browser` drive the engine. */
    localrec?: { engine: Recommender };
  }
}

/** Exposes the engine on `window.localrec`; returns the function that removes it. */
export function installTestHooks(engine: Recommender): () => void {
  window.localrec = { engine };
  return () => {
    if (window.localrec?.engine === engine) delete window.localrec;
  };
}
