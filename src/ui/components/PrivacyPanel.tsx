import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { storageNames, type InteractionEvent } from 'localrec';
import { useEngineCore, useEngineState } from 'localrec/react';
import { downloadJson } from '../downloadJson';
import { describePersonalModel } from '../personalModelText';
import { useSite } from '../site/SiteContext';
import { SHELL_CACHE_PREFIX } from '../../sw/swLogic';

/** The app runs one recommender in the default namespace. */
const STORAGE = storageNames();


function countByType(events: InteractionEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ') || 'none';
}

/** Lists exactly what is stored on this device; export, import and delete everything. */
export function PrivacyPanel() {
  const { engine, phase, readyInfo, invalidate } = useEngineCore();
  const state = useEngineState();
  const history = state?.history ?? null;
  // Counted in a background render, after the feed (one pass over the whole history).
  const deferredHistory = useDeferredValue(history);
  const stored = useMemo(() => ({ count: deferredHistory?.length ?? 0, byType: countByType(deferredHistory ?? []) }), [deferredHistory]);
  const status = state?.status ?? null;
  const settings = state?.settings ?? null;
  const { site, state: siteState } = useSite();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const busy = phase !== 'ready' || !engine;

  const run = async (task: () => Promise<string>, failure: string) => {
    setMessage(null);
    try {
      setMessage({ kind: 'ok', text: await task() });
    } catch (err) {
      setMessage({ kind: 'error', text: `${failure}: ${err instanceof Error ? err.message : String(err)}` });
    } finally {
      invalidate();
    }
  };

  const exportAll = () =>
    run(async () => {
      const bundle = await engine!.exportData();
      downloadJson(bundle, `localrec-export-${new Date().toISOString().slice(0, 10)}.json`);
      return `Exported ${bundle.events.length} interactions${bundle.checkpoint ? ' and the fine-tuned model' : ''}.`;
    }, 'Export failed');

  const importFile = (file: File) =>
    run(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await file.text());
      } catch {
        throw new Error(`${file.name} is not a JSON file. Choose a file made by Export.`);
      }
      const result = await engine!.importData(parsed);
      const what = `${result.events} interactions${result.checkpoint ? ' and the fine-tuned model' : ''}`;
      return `Imported ${what} from ${file.name}.${result.note ? ` ${result.note}` : ''}`;
    }, 'Import failed, nothing was changed');

  const deleteAll = () =>
    run(async () => {
      setConfirming(false);
      await engine!.deleteData();
      const shells = site ? await site.forgetOfflineCopy() : 0;
      return `Everything stored by LocalRec on this device was deleted${shells > 0 ? ', including the offline copy of the app (the next visit downloads it again)' : ''}.`;
    }, 'Delete failed');

  return (
    <section className="panel privacy" aria-labelledby="privacy-heading">
      <h2 id="privacy-heading">Your data stays on this device</h2>
      <p>Nothing you do here is sent anywhere. This is everything LocalRec stores, in this browser only:</p>
      <p className="small" data-testid="links-note">
        Pictures come from this site only. Where an item has an &ldquo;Open page&rdquo; link, that page opens only when you click it, in a new tab; that
        site then learns which item you opened (and nothing else: no history, no referrer).
      </p>
      <ul>
        <li>
          {status?.storage === 'memory' ? (
            <span data-testid="storage-memory">This tab&rsquo;s memory only (this browser would not let the site store data; everything is gone when you close the tab):</span>
          ) : (
            <>
              IndexedDB database <code>{STORAGE.database}</code>:
            </>
          )}
          <ul>
            <li>
              interactions (item, kind, time): <span data-testid="stored-events">{stored.count}</span> events ({stored.byType})
            </li>
            <li>
              your personal model:{' '}
              <span data-testid="personal-model">{describePersonalModel(status)}</span>
            </li>
            <li>
              settings: {settings ? `discover ${settings.discover}, background learning ${settings.autoLearn ? 'on' : 'off'}, onboarding ${settings.onboarded ? 'done' : 'not done'}` : 'defaults'}, and
              while training, a short-lived note of which tab trains
            </li>
          </ul>
        </li>
        <li>
          Cache <code>{STORAGE.modelCache}</code>: the model files of {readyInfo?.modelName ?? 'the pretrained model'} (the same for everyone), so the next
          visit loads without downloading
        </li>
        {siteState && siteState.offline.state !== 'off' && (
          <li>
            Cache <code>{SHELL_CACHE_PREFIX}{siteState.buildId ?? '…'}</code> and a service worker: this version of the app (pages, scripts, WASM) and the catalog pictures
            already shown, so it opens offline; the same for everyone
          </li>
        )}
      </ul>
      <div className="privacy-actions">
        <button type="button" onClick={exportAll} disabled={busy}>
          Export my data
        </button>
        <button type="button" onClick={() => fileInput.current?.click()} disabled={busy}>
          Import data…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          aria-label="Import file"
          className="visually-hidden"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
        {!confirming ? (
          <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={busy}>
            Delete everything
          </button>
        ) : (
          <span className="confirm">
            Delete history, fine-tuned model and cached files?{' '}
            <button type="button" className="danger" onClick={deleteAll}>
              Yes, delete everything
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        )}
      </div>
      {message && (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'error-text' : undefined} data-testid="privacy-message">
          {message.text}
        </p>
      )}
    </section>
  );
}
