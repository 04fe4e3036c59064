import { storageNames, type EngineStatus, type Recommender } from './api';
import { widgetNamespace, type FeedConfig } from './attributes';
import type { PrivacyContent } from './privacyMenu';

/**
 * What the privacy menu says and offers: what is stored where (read from the engine), export and
 * delete; or, without an engine (consent pending, bad attributes), that nothing is stored.
 */
export async function storedDataContent(engine: Recommender | null, config: FeedConfig | null, host: HTMLElement, afterDelete: () => Promise<void>): Promise<PrivacyContent> {
  if (!config) return { lines: ['This widget is not set up, so nothing is stored.'], exportData: null, deleteData: null };
  if (!engine) {
    return {
      lines: ['Nothing is stored: this site asks for your consent first.', 'Until then your clicks only re-order this list in memory and are forgotten when you leave the page.'],
      exportData: null,
      deleteData: null,
    };
  }
  const status = await engine.status();
  const names = storageNames(widgetNamespace(config.modelUrl));
  const what = storedSummary(status);
  const where = status.storage === 'memory'
    ? `Kept only in this tab's memory (this browser would not let the site store data), gone when you close it: ${what}.`
    : `Stored only in this browser, for this site (IndexedDB “${names.database}”): ${what}.`;
  return {
    lines: [
      where,
      `The model files are cached here too (“${names.modelCache}”). Nothing about you is sent to this site or to anyone else.`,
    ],
    exportData: () => downloadExport(engine, host),
    deleteData: async () => {
      await engine.deleteData();
      await afterDelete();
    },
  };
}

/** "12 interactions, a personal adapter learned from them (24 KB, 16 steps)". */
export function storedSummary(status: Pick<EngineStatus, 'interactions' | 'personalModel' | 'fineTuneSteps'>): string {
  const count = `${status.interactions} interaction${status.interactions === 1 ? '' : 's'}`;
  const m = status.personalModel;
  if (!m) return count;
  const kb = Math.max(1, Math.round((m.bytes + m.optimizerBytes) / 1024));
  const what = m.kind === 'weights' ? 'a model fine-tuned on them' : 'a personal adapter learned from them';
  return `${count}, ${what} (${kb} KB, ${status.fineTuneSteps} steps)`;
}

/** Saves everything stored as `localrec-data.json` (a download; nothing leaves the browser). */
export async function downloadExport(engine: Recommender, host: HTMLElement): Promise<void> {
  const bundle = await engine.exportData();
  const url = URL.createObjectURL(new Blob([JSON.stringify(bundle)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'localrec-data.json';
  (host.shadowRoot ?? host).append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
