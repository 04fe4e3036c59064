import type { LocalStore } from '../store/localStore';
import type { EngineSettings } from './types';

/** The stored settings kept in memory: read once, replaced by this engine's writes, dropped on anything else. */
export class SettingsCache {
  private readonly store: LocalStore;
  private cached: EngineSettings | null = null;
  private version = 0;

  constructor(store: LocalStore) {
    this.store = store;
  }

  /** The settings (shared object: do not modify). A read that overlapped a write or `forget()` is not kept. */
  async read(): Promise<EngineSettings> {
    if (this.cached) return this.cached;
    const version = this.version;
    const s = await this.store.getSettings();
    if (version === this.version) this.cached = s;
    return s;
  }

  /** Stores `next` and keeps it. */
  async write(next: EngineSettings): Promise<void> {
    this.forget();
    await this.store.putSettings(next);
    this.forget();
    this.cached = { ...next };
  }

  /** Another tab, an import or a delete changed them: read again next time. */
  forget(): void {
    this.version++;
    this.cached = null;
  }
}
