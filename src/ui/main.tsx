import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createWorkerRecommender } from '../engine/client';
import type { Recommender, RecommenderOptions } from '../engine/recommender/types';
import { readAppConfig } from './appConfig';
import { App } from './components/App';
import { UpdateBanner } from './components/UpdateBanner';
import { EngineProvider } from './engine/EngineProvider';
import { SiteContext } from './site/SiteContext';
import { startSite } from './site/siteServiceWorker';
import './app.css';

/** The engine runs in a Web Worker: training and inference never block the page. */
function createEngine(options: RecommenderOptions): Recommender {
  return createWorkerRecommender({ ...options, worker: () => new Worker(new URL('../worker.ts', import.meta.url), { type: 'module' }) });
}

const config = readAppConfig(window.location.search, import.meta.env.BASE_URL);
const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">.');
// The service worker comes first: on a host without COOP/COEP the first visit reloads once (before
// the engine starts) so the worker's headers give WASM its threads. Production builds only.
const start = await startSite(import.meta.env.BASE_URL, { register: import.meta.env.PROD });
if (!start.reloading) {
  createRoot(root).render(
    <StrictMode>
      <SiteContext.Provider value={start.site}>
        <EngineProvider config={config} createEngine={createEngine}>
          <UpdateBanner />
          <App config={config} />
        </EngineProvider>
      </SiteContext.Provider>
    </StrictMode>,
  );
}
