import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createWorkerRecommender } from '../engine/client';
import type { Recommender, RecommenderOptions } from '../engine/recommender/types';
import { readAppConfig } from './appConfig';
import { App } from './components/App';
import { EngineProvider } from './engine/EngineProvider';
import './app.css';

/** The engine runs in a Web Worker: training and inference never block the page. */
function createEngine(options: RecommenderOptions): Recommender {
  return createWorkerRecommender({ ...options, worker: () => new Worker(new URL('../worker.ts', import.meta.url), { type: 'module' }) });
}

const config = readAppConfig(window.location.search, import.meta.env.BASE_URL);
const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">.');
createRoot(root).render(
  <StrictMode>
    <EngineProvider config={config} createEngine={createEngine}>
      <App config={config} />
    </EngineProvider>
  </StrictMode>,
);
