import { useState } from 'react';
import { useEngineCore, useEngineActivity, useEngineSelector } from 'localrec/react';
import { formatTime } from '../formatTime';
import { ISOLATION_LABELS } from '../site/isolation';
import { useSite } from '../site/SiteContext';


/** What the model runs on and what it has learned from, plus "reset to the pretrained model". */
export function StatusPanel() {
  const { engine, phase, readyInfo, invalidate } = useEngineCore();
  const { learning } = useEngineActivity();
  const status = useEngineSelector((l) => l.state?.status ?? null);
  const { state: site } = useSite();
  const [resetting, setResetting] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const reset = async () => {
    if (!engine) return;
    setResetting(true);
    setMessage(null);
    try {
      await engine.resetModel();
      setMessage('Back to the pretrained model. Your history is kept.');
      invalidate();
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setResetting(false);
    }
  };

  return (
    <section className="panel status" aria-labelledby="status-heading">
      <h2 id="status-heading">Model status</h2>
      <dl>
        <dt>Backend</dt>
        <dd data-testid="backend">{readyInfo ? readyInfo.backend : phase === 'error' ? 'not loaded' : 'loading…'}</dd>
        <dt>Adapter</dt>
        <dd data-testid="adapter">{readyInfo?.adapter ?? '—'}</dd>
        {readyInfo?.backend === 'wasm' && (
          <>
            <dt>WASM threads</dt>
            <dd data-testid="threads">{readyInfo.threads ? 'yes' : 'no'}</dd>
          </>
        )}
        {site && (
          <>
            <dt>Isolation</dt>
            <dd data-testid="isolation" data-mode={site.isolation.mode} title={site.isolation.reason}>
              {ISOLATION_LABELS[site.isolation.mode]}
            </dd>
            <dt>Offline</dt>
            <dd data-testid="offline" data-state={site.offline.state} data-build={site.buildId ?? ''}>
              {site.offline.state === 'ready' ? `ready${site.buildId ? ` (build ${site.buildId.slice(0, 8)})` : ''}` : site.offline.state === 'installing' ? 'caching the app…' : `off: ${site.offline.reason}`}
            </dd>
          </>
        )}
        <dt>Your data</dt>
        <dd data-testid="storage" data-mode={status?.storage ?? 'indexeddb'}>
          {status?.storage === 'memory' ? 'in memory only (not kept after this tab closes)' : 'saved in this browser (IndexedDB)'}
        </dd>
        <dt>Model</dt>
        <dd>{readyInfo ? `${readyInfo.modelName} (${readyInfo.numItems} items)` : '—'}</dd>
        <dt>Interactions</dt>
        <dd data-testid="interactions">{status?.interactions ?? 0}</dd>
        <dt>Fine-tune steps</dt>
        <dd data-testid="finetune-steps">{status?.fineTuneSteps ?? 0}</dd>
        <dt>Last update</dt>
        <dd data-testid="last-update">{formatTime(status?.lastUpdate ?? null)}</dd>
        <dt>Learning</dt>
        <dd data-testid="learning" aria-live="polite">
          {learning.active
            ? `fine-tuning: step ${learning.step} of ${learning.of}${learning.loss !== null ? `, loss ${learning.loss.toFixed(3)}` : ''}`
            : learning.last
              ? `idle (last run: ${learning.last.steps} steps, ${learning.last.accepted ? 'kept' : 'rolled back'}: ${learning.last.reason})`
              : 'idle'}
        </dd>
      </dl>
      {((readyInfo && readyInfo.notes.length > 0) || site) && (
        <ul className="notes" data-testid="backend-notes">
          {site && <li data-testid="isolation-reason">{site.isolation.reason}</li>}
          {readyInfo?.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      {status && status.notes.length > 0 && (
        <ul className="notes engine-notes" data-testid="engine-notes" role="status">
          {status.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <button type="button" onClick={reset} disabled={phase !== 'ready' || resetting}>
        Reset to the pretrained model
      </button>
      {message && <p role="status">{message}</p>}
    </section>
  );
}
