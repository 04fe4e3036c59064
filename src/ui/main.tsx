import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { LocalRecOptions } from 'localrec';
import { EngineProvider } from 'localrec/react';
import { readAppConfig } from './appConfig';
import { App } from './components/App';
import { UpdateBanner } from './components/UpdateBanner';
import { SiteContext } from './site/SiteContext';
import { startSite } from './site/siteServiceWorker';
import { installTestHooks } from './testHooks';
import './app.css';

/** The engine worker is the library's own (src/worker.ts is its Vite entry); Vite bundles it beside the app. */
const startWorker = () => new Worker(new URL('../worker.ts', import.meta.url), { type: 'module' });

const config = readAppConfig(window.location.search, import.meta.env.BASE_URL);
const options: LocalRecOptions = { modelUrl: config.modelUrl, device: config.device, policy: config.policy, testing: config.testing, wasmThreads: config.wasmThreads, worker: startWorker };
const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">.');
// The service worker comes first: on a host without COOP/COEP the first visit reloads once (before
// the engine starts) so the worker's headers give WASM its threads. Production builds only.
const start = await startSite(import.meta.env.BASE_URL, { register: import.meta.env.PROD });
if (!start.reloading) {
  createRoot(root).render(
    <StrictMode>
      <SiteContext.Provider value={start.site}>
        <EngineProvider options={options} onEngine={config.testHooks ? installTestHooks : undefined}>
          <UpdateBanner />
          <App config={config} />
        </EngineProvider>
      </SiteContext.Provider>
    </StrictMode>,
  );
}
