import { useState } from 'react';
import type { CatalogEntry, EventType } from 'localrec';
import { EngineProvider, LocalRecFeed, useEngine } from 'localrec/react';

/** The model folder, served by this example from the repository's public/models. */
const OPTIONS = { modelUrl: '/models/ml-1m-sasrec/', namespace: 'react-example' };

/** Which backend the engine runs on (WebGPU, WASM or CPU): LocalRec never falls back silently. */
function EngineStatus() {
  const { phase, readyInfo, error } = useEngine();
  if (phase === 'error') return <p role="alert">Could not start: {error?.message}</p>;
  if (!readyInfo) return <p className="status">Loading the model… (popular picks meanwhile)</p>;
  return (
    <p className="status" data-testid="backend">
      Running on {readyInfo.backend}
      {readyInfo.threads ? ' (threads)' : ''}, {readyInfo.numItems.toLocaleString()} titles
    </p>
  );
}

/** A React app with a private "recommended for you" strip: one provider, the ready-made feed. */
export function App() {
  const [last, setLast] = useState<string | null>(null);
  const onInteraction = (item: CatalogEntry, type: EventType) => setLast(`${type}: ${item.title}`);
  return (
    <main>
      <h1>Recommended for you</h1>
      <p>Learned in this browser from what you like; nothing leaves it.</p>
      <EngineProvider options={OPTIONS}>
        <EngineStatus />
        <LocalRecFeed count={8} discover={0.25} onInteraction={onInteraction} />
      </EngineProvider>
      {last && <p className="last">Last: {last}</p>}
    </main>
  );
}
