import type { CatalogEntry, EngineRequest, EngineState, EngineStatus, InteractionEvent, ReadyInfo, Recommendation, Recommender } from '../api';

/** A small generated catalog: ids 1..n, two genres alternating, popularity falling with the id. */
export function makeCatalog(n: number): CatalogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    externalId: `ext-${i + 1}`,
    title: `Item ${i + 1}`,
    year: 2000 + i,
    genres: [i % 2 === 0 ? 'Drama' : 'Comedy'],
    popularity: 100 - i,
  }));
}

/**
 * An in-memory `Recommender` for widget tests: popular order before `ready`, then "model" order
 * (genre of the last like first); liked and disliked items are left out, like the engine does.
 */
export class FakeEngine implements Recommender {
  readonly events: InteractionEvent[] = [];
  /** Where the fake keeps its data, as the real engine reports it (`memory` when IndexedDB failed). */
  storage: EngineStatus['storage'] = 'indexeddb';
  disposed = false;
  deleted = 0;
  readonly ready: Promise<ReadyInfo>;
  private resolveReady!: (info: ReadyInfo) => void;
  private rejectReady!: (err: unknown) => void;

  constructor(readonly request: EngineRequest, readonly items: CatalogEntry[] = makeCatalog(30)) {
    this.ready = new Promise((res, rej) => { this.resolveReady = res; this.rejectReady = rej; });
    this.ready.then(() => { this.isReady = true; }, () => undefined);
  }

  finishLoading(threads = false): void {
    this.resolveReady({ backend: 'wasm', adapter: null, threads, numItems: this.items.length, modelName: 'fake', modelId: 'fake-id', notes: ['test note'] });
    this.request.onProgress({ status: 'ready', backend: 'wasm', adapter: null });
  }

  failLoading(err: unknown): void {
    this.rejectReady(err);
  }

  private isReady = false;

  async catalog(): Promise<CatalogEntry[]> {
    return this.items;
  }

  async recommend(opts: { count: number }): Promise<Recommendation[]> {
    const hidden = new Set(this.events.filter((e) => e.type === 'like' || e.type === 'dislike').map((e) => e.itemId));
    const lastLike = [...this.events].reverse().find((e) => e.type === 'like');
    const genre = lastLike ? this.items[lastLike.itemId - 1].genres[0] : null;
    const pool = this.items.filter((c) => !hidden.has(c.id));
    const ordered = this.isReady && genre ? [...pool.filter((c) => c.genres[0] === genre), ...pool.filter((c) => c.genres[0] !== genre)] : pool;
    return ordered.slice(0, opts.count).map((c, i) => ({ itemId: c.id, score: -i, source: this.isReady ? 'model' : 'popular' }));
  }

  private version = 0;

  async record(event: InteractionEvent): Promise<void> {
    this.events.push(event);
    this.version++;
    const state = await this.state();
    this.request.onProgress({ status: 'updated', what: 'history', origin: 'local', snapshot: { version: state.version, status: state.status, settings: state.settings, history: { kind: 'appended', events: [event] } } });
  }

  async state(): Promise<EngineState> {
    return { version: this.version, status: await this.status(), settings: await this.getSettings(), history: [...this.events] };
  }

  async history(): Promise<InteractionEvent[]> { return [...this.events]; }
  async learn(): Promise<never> { throw new Error('not used by the widget'); }
  async explain(itemId: number) { return { itemId, because: [{ itemId: 1, weight: 1 }], summary: 'you liked Drama' }; }
  async status(): Promise<EngineStatus> {
    return { ready: this.isReady, backend: null, interactions: this.events.length, fineTuneSteps: 0, lastUpdate: null, personalized: false, personalModel: null, learning: false, pendingEvents: 0, learnAfter: 5, storage: this.storage, notes: [] };
  }
  async memory() { return { numTensors: 0, numBytes: 0, backend: null }; }
  async getSettings() { return { discover: 0.25, autoLearn: true, onboarded: false }; }
  async setSettings() { return this.getSettings(); }
  async exportData() { return { format: 'localrec-export' as const, version: 1 as const, exportedAt: 0, model: 'fake', events: this.events, settings: {}, checkpoint: null }; }
  async importData(): Promise<never> { throw new Error('not used by the widget'); }
  async deleteData(): Promise<void> { this.events.length = 0; this.deleted++; }
  async resetModel(): Promise<void> {}
  async dispose(): Promise<void> { this.disposed = true; }
}
