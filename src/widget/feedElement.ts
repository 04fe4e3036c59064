import { LocalRecError, type CatalogEntry, type EventType, type ReadyInfo, type Recommendation } from './api';
import { fillItemHref, OBSERVED_ATTRIBUTES, parseFeedAttributes, widgetNamespace, type FeedConfig } from './attributes';
import type { EngineLease, EngineRegistry } from './engineRegistry';
import type { FeedErrorDetail, FeedEventMap, FeedOpenDetail, FeedReadyDetail, WidgetErrorCode } from './events';
import { rankInMemory, type MemoryEvent } from './memoryFeed';
import { PrivacyMenu, type PrivacyContent } from './privacyMenu';
import { storedDataContent } from './storedData';
import { FEED_CSS } from './styles';
import { backendLabel, buildCard, buildSkeleton, renderMessage, restoreFocus, saveFocus, type FeedSkeleton, type SavedFocus } from './view';

/** What the element class needs from its surroundings (tests pass fakes). */
export interface FeedEnvironment {
  registry: EngineRegistry;
  /** Catalog of a model folder before consent (no engine, nothing stored). */
  fetchCatalog: (modelUrl: string) => Promise<CatalogEntry[]>;
}

/** The public surface of `<localrec-feed>` beyond HTMLElement. */
export interface LocalRecFeed extends HTMLElement {
  /** With `consent="required"`: start storing (the interactions so far are kept). Resolves once stored. */
  grantConsent(): Promise<void>;
  /** False while `consent="required"` and `grantConsent()` was not called. */
  readonly consentGiven: boolean;
  addEventListener<K extends keyof FeedEventMap>(type: K, listener: (ev: FeedEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** Engine errors that leave the feed working: shown as a note, not as "unavailable". */
const SURVIVED: ReadonlySet<string> = new Set(['STORAGE_UNAVAILABLE', 'STORAGE_FULL', 'CHECKPOINT_CORRUPT', 'WORKER_CRASHED']);

type State = 'loading' | 'popular' | 'ready' | 'consent-pending' | 'error';

/** Builds the `<localrec-feed>` class over an environment (the real one, or fakes in tests). */
export function createFeedElementClass(env: FeedEnvironment): CustomElementConstructor & { new (): LocalRecFeed } {
  return class LocalRecFeedElement extends HTMLElement implements LocalRecFeed {
    static readonly observedAttributes = [...OBSERVED_ATTRIBUTES];
    private view: FeedSkeleton | null = null;
    private menu: PrivacyMenu | null = null;
    private config: FeedConfig | null = null;
    private lease: EngineLease | null = null;
    private consent = false;
    private memoryEvents: MemoryEvent[] = [];
    private catalog = new Map<number, CatalogEntry>();
    private info: ReadyInfo | null = null;
    private seq = 0;
    private revision = 0;
    private readySent = false;
    private restartQueued = false;
    /** The last error reported, so one failure seen by two calls (ready, recommend) is reported once. */
    private lastError = '';

    get consentGiven(): boolean {
      return this.consent || (this.config !== null && !this.config.consentRequired);
    }

    connectedCallback(): void {
      if (!this.view) this.mount();
      this.queueRestart();
    }

    disconnectedCallback(): void {
      // A move (disconnect + connect in one task) keeps the engine; a removal releases it.
      queueMicrotask(() => { if (!this.isConnected) this.stop(); });
    }

    attributeChangedCallback(): void {
      if (this.isConnected && this.view) this.queueRestart();
    }

    async grantConsent(): Promise<void> {
      if (this.consent) return;
      this.consent = true;
      if (!this.config?.consentRequired || !this.isConnected) return;
      this.stop();
      await this.start();
    }

    private mount(): void {
      const shadow = this.attachShadow({ mode: 'open' });
      // Constructable stylesheets are not subject to the host's CSP style-src; <style> is the fallback.
      if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(FEED_CSS);
        shadow.adoptedStyleSheets = [sheet];
      } else {
        const style = document.createElement('style');
        style.textContent = FEED_CSS;
        shadow.append(style);
      }
      this.view = buildSkeleton();
      shadow.append(this.view.root);
      this.menu = new PrivacyMenu(this.view.privacyButton, this.view.menu, () => this.privacyContent(), (err) => this.fail(err));
    }

    private queueRestart(): void {
      if (this.restartQueued) return;
      this.restartQueued = true;
      queueMicrotask(() => {
        this.restartQueued = false;
        if (!this.isConnected) return;
        const before = this.config;
        const parsed = parseFeedAttributes((n) => this.getAttribute(n), this.ownerDocument.baseURI);
        const sameEngine = parsed.ok && before !== null && this.lease !== null && parsed.config.modelUrl === before.modelUrl && parsed.config.device === before.device && parsed.config.consentRequired === before.consentRequired;
        if (sameEngine) {
          this.config = parsed.config;
          void this.refresh();
          return;
        }
        this.stop();
        void this.start();
      });
    }

    private async start(): Promise<void> {
      const view = this.view;
      if (!view) return;
      const parsed = parseFeedAttributes((n) => this.getAttribute(n), this.ownerDocument.baseURI);
      view.notes.replaceChildren();
      this.lastError = '';
      if (!parsed.ok) {
        this.config = null;
        view.list.replaceChildren();
        const details = parsed.problems.map((p) => p.message);
        this.showError('INVALID_INPUT', 'This recommendation widget is misconfigured, so it shows nothing.', details);
        return;
      }
      this.config = parsed.config;
      if (!this.consentGiven) {
        this.setState('consent-pending', 'Popular picks · nothing is stored on this device until you agree');
        await this.refresh();
        return;
      }
      const lease = env.registry.acquire(
        { modelUrl: parsed.config.modelUrl, device: parsed.config.device, namespace: widgetNamespace(parsed.config.modelUrl) },
        (e) => {
          if ((e.status === 'updated' && e.what !== 'status') || e.status === 'learned') void this.refresh();
          else if (e.status === 'error' && SURVIVED.has(e.code)) this.showNote(e.code, e.message);
          else if (e.status === 'error') this.fail(new LocalRecError(e.code, e.message));
          else if (e.status === 'progress' && !this.info && e.overallTotal > 0) this.setStatus(`Popular picks · loading the model (${Math.round((100 * e.overallLoaded) / e.overallTotal)}%)`);
        },
      );
      this.lease = lease;
      if (lease.deviceConflict) {
        view.notes.append(renderMessage('note', lease.deviceConflict));
        this.emitError({ code: 'DEVICE_CONFLICT', message: lease.deviceConflict });
      }
      this.setState('loading', 'Popular picks · loading the model');
      const pending = this.memoryEvents;
      this.memoryEvents = [];
      try {
        for (const e of pending) await lease.engine.record(e);
      } catch (err) {
        this.fail(err);
      }
      void this.refresh();
      lease.engine.ready.then(
        (info) => {
          if (this.lease !== lease) return;
          this.info = info;
          this.dataset.backend = info.backend;
          this.dataset.threads = String(info.threads);
          void this.refresh();
        },
        (err: unknown) => { if (this.lease === lease) this.fail(err); },
      );
    }

    private stop(): void {
      this.seq++;
      this.menu?.close(false);
      this.lease?.release();
      this.lease = null;
      this.info = null;
      this.readySent = false;
      this.catalog.clear();
    }

    /** Re-ranks and renders; a newer call supersedes an older one still waiting. */
    private async refresh(): Promise<void> {
      const config = this.config;
      const view = this.view;
      if (!config || !view) return;
      const seq = ++this.seq;
      const engine = this.lease?.engine ?? null;
      try {
        let recs: Recommendation[];
        if (engine) {
          recs = await engine.recommend({ count: config.limit, discover: config.discover });
          if (this.catalog.size === 0) for (const c of await engine.catalog()) this.catalog.set(c.id, c);
        } else {
          if (this.catalog.size === 0) for (const c of await env.fetchCatalog(config.modelUrl)) this.catalog.set(c.id, c);
          recs = rankInMemory([...this.catalog.values()], this.memoryEvents, config.limit, config.discover);
        }
        if (seq !== this.seq) return;
        this.render(recs, config);
      } catch (err) {
        if (seq === this.seq) this.fail(err);
      }
    }

    private render(recs: Recommendation[], config: FeedConfig): void {
      const view = this.view as FeedSkeleton;
      const focus = this.focusedControl();
      const cards = recs.flatMap((r) => {
        const item = this.catalog.get(r.itemId);
        if (!item) return [];
        const href = config.itemHref === null ? null : fillItemHref(config.itemHref, item, this.ownerDocument.baseURI);
        const c = buildCard(item, href, false);
        c.title.addEventListener('click', (ev) => this.open(item, href, ev));
        c.like.addEventListener('click', () => { c.like.setAttribute('aria-pressed', 'true'); void this.interact(item, 'like', c.card); });
        c.dismiss.addEventListener('click', () => void this.interact(item, 'dislike', c.card));
        c.why.addEventListener('click', () => void this.toggleWhy(item, c.why, c.whyText));
        c.card.addEventListener('keydown', (ev) => {
          if (ev.key === 'Escape' && !c.whyText.hidden) { c.whyText.hidden = true; c.why.setAttribute('aria-expanded', 'false'); c.why.focus(); }
        });
        return [c.card];
      });
      view.list.replaceChildren(...cards);
      this.revision++;
      this.dataset.revision = String(this.revision);
      const source = recs.some((r) => r.source === 'model') ? 'model' : (recs[0]?.source ?? 'popular');
      this.dataset.source = this.lease ? source : 'memory';
      if (focus) this.restoreFocus(focus);
      if (!this.lease) return;
      if (this.info) {
        this.setState('ready', `Personalized on this device · ${backendLabel(this.info)}`);
        view.status.title = this.info.notes.join(' ');
        if (!this.readySent) {
          this.readySent = true;
          const { backend, threads, adapter, modelName, notes } = this.info;
          this.dispatchEvent(new CustomEvent<FeedReadyDetail>('localrec-ready', { bubbles: true, composed: true, detail: { backend, threads, adapter, modelName, notes } }));
        }
      } else if (this.dataset.state === 'loading') {
        this.dataset.state = 'popular';
      }
    }

    private async interact(item: CatalogEntry, kind: EventType, card: HTMLElement | null): Promise<void> {
      card?.querySelectorAll('button').forEach((b) => { b.disabled = true; });
      this.dispatchEvent(new CustomEvent('localrec-interaction', { bubbles: true, composed: true, detail: { itemId: item.id, externalId: item.externalId, kind } }));
      const event = { itemId: item.id, type: kind, at: Date.now() };
      try {
        if (this.lease) await this.lease.engine.record(event);
        else this.memoryEvents.push(event);
      } catch (err) {
        this.fail(err);
      }
      await this.refresh();
    }

    private open(item: CatalogEntry, href: string | null, ev: Event): void {
      const detail: FeedOpenDetail = { itemId: item.id, externalId: item.externalId, title: item.title, href };
      const proceed = this.dispatchEvent(new CustomEvent<FeedOpenDetail>('localrec-open', { bubbles: true, composed: true, cancelable: true, detail }));
      if (!proceed) ev.preventDefault();
      void this.interact(item, 'open', null);
    }

    private async toggleWhy(item: CatalogEntry, button: HTMLButtonElement, text: HTMLElement): Promise<void> {
      if (!text.hidden) { text.hidden = true; button.setAttribute('aria-expanded', 'false'); return; }
      text.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      text.textContent = 'Working out why…';
      text.textContent = await this.explain(item).catch((err: unknown) => {
        this.fail(err);
        return 'No explanation is available right now.';
      });
    }

    private async explain(item: CatalogEntry): Promise<string> {
      const popular = `Popular: chosen by ${item.popularity.toLocaleString('en')} people in the model's training data.`;
      if (!this.lease || !this.info) return `${popular} The list is not personalized yet.`;
      const why = await this.lease.engine.explain(item.id);
      const because = why.because.slice(0, 3).map((b) => this.catalog.get(b.itemId)?.title).filter((t): t is string => !!t);
      return because.length > 0 ? `Because of ${because.join(', ')}. ${why.summary}` : why.summary || popular;
    }

    private async privacyContent(): Promise<PrivacyContent> {
      return storedDataContent(this.config && this.lease ? this.lease.engine : null, this.config, this, async () => {
        this.catalog.clear();
        await this.refresh();
      });
    }

    private focusedControl(): SavedFocus | null {
      return this.view ? saveFocus(this.shadowRoot, this.view.list) : null;
    }

    private restoreFocus(saved: SavedFocus): void {
      if (this.view) restoreFocus(this.view.list, this.view.privacyButton, saved);
    }

    private setState(state: State, status: string): void {
      this.dataset.state = state;
      this.setStatus(status);
    }

    private setStatus(text: string): void {
      if (this.view) this.view.status.textContent = text;
    }

    private fail(err: unknown): void {
      const code = err instanceof LocalRecError ? err.code : 'INTERNAL';
      const message = err instanceof Error ? err.message : String(err);
      const summary = code.startsWith('MODEL_') && this.config
        ? `Recommendations are unavailable: the model at ${this.config.modelUrl} could not be loaded.`
        : 'Recommendations are unavailable right now.';
      this.showError(code, summary, [message]);
    }

    private showError(code: WidgetErrorCode, summary: string, details: string[]): void {
      const key = `${code} ${details.join(' ')}`;
      if (key === this.lastError) return;
      this.lastError = key;
      // One error box at a time (the newest); notes such as a device conflict stay.
      this.view?.notes.querySelectorAll('.error').forEach((e) => e.remove());
      this.view?.notes.append(renderMessage('error', summary, details));
      this.setState('error', 'Not available');
      this.emitError({ code, message: [summary, ...details].join(' ') });
    }

    /** A fault the engine survived (data in memory only, storage full, a damaged model skipped, a restart): a note, the feed stays. */
    private showNote(code: WidgetErrorCode, message: string): void {
      const notes = this.view?.notes;
      if (!notes) return;
      notes.querySelector(`[data-code="${code}"]`)?.remove();
      const note = renderMessage('note', message);
      note.dataset.code = code;
      notes.append(note);
      this.emitError({ code, message });
    }

    private emitError(detail: FeedErrorDetail): void {
      this.dispatchEvent(new CustomEvent<FeedErrorDetail>('localrec-error', { bubbles: true, composed: true, detail }));
    }
  };
}
