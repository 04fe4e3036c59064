// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineRequest } from './api';
import { defineLocalRecFeed } from './defineFeed';
import { EngineRegistry } from './engineRegistry';
import type { FeedErrorDetail, FeedInteractionDetail, FeedOpenDetail, FeedReadyDetail } from './events';
import type { LocalRecFeed } from './feedElement';
import { FakeEngine, makeCatalog } from './testing/fakeEngine';

const engines: FakeEngine[] = [];
const registry = new EngineRegistry((req: EngineRequest) => {
  const e = new FakeEngine(req);
  engines.push(e);
  return e;
});
const fetchCatalog = vi.fn(async () => makeCatalog(30));
defineLocalRecFeed('test-feed', { registry, fetchCatalog });

const MODEL = 'https://cdn.example/models/tiny/';

function mount(attrs: Record<string, string>): LocalRecFeed {
  const el = document.createElement('test-feed') as LocalRecFeed;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  document.body.append(el);
  return el;
}
const shadow = (el: HTMLElement) => el.shadowRoot as ShadowRoot;
const cardIds = (el: HTMLElement) => [...shadow(el).querySelectorAll('li.card')].map((c) => Number(c.getAttribute('data-item-id')));
const button = (el: HTMLElement, itemId: number, part: string) =>
  shadow(el).querySelector(`li[data-item-id="${itemId}"] [part~="${part}"]`) as HTMLButtonElement;

afterEach(async () => {
  document.body.replaceChildren();
  await vi.waitFor(() => expect(registry.size).toBe(0));
  engines.length = 0;
  fetchCatalog.mockClear();
});

describe('<localrec-feed>', () => {
  it('shows the popular feed at once, then the model-ranked one with the backend, and fires localrec-ready', async () => {
    const el = mount({ model: MODEL, limit: '5' });
    const ready = vi.fn();
    el.addEventListener('localrec-ready', (e: CustomEvent<FeedReadyDetail>) => ready(e.detail));
    await vi.waitFor(() => expect(cardIds(el)).toEqual([1, 2, 3, 4, 5]));
    expect(el.dataset.state).toBe('popular');
    expect(el.dataset.source).toBe('popular');
    expect(engines[0].request.namespace).toBe('widget:cdn.example:tiny');
    engines[0].finishLoading(false);
    await vi.waitFor(() => expect(el.dataset.state).toBe('ready'));
    expect(el.dataset.source).toBe('model');
    expect(el.dataset.threads).toBe('false');
    expect(shadow(el).querySelector('[part="status"]')?.textContent).toContain('WASM, single-threaded');
    expect(ready).toHaveBeenCalledWith({ backend: 'wasm', threads: false, adapter: null, modelName: 'fake', notes: ['test note'] });
  });

  it('a like is stored, announced, and re-ranks the feed (liked item gone, its genre first); focus stays in the list', async () => {
    const el = mount({ model: MODEL, limit: '4' });
    await vi.waitFor(() => expect(cardIds(el)).toHaveLength(4));
    engines[0].finishLoading();
    await vi.waitFor(() => expect(el.dataset.state).toBe('ready'));
    const seen: FeedInteractionDetail[] = [];
    el.addEventListener('localrec-interaction', (e: CustomEvent<FeedInteractionDetail>) => seen.push(e.detail));
    const rev = Number(el.dataset.revision);
    button(el, 2, 'like').focus();
    button(el, 2, 'like').click();
    await vi.waitFor(() => expect(Number(el.dataset.revision)).toBeGreaterThan(rev));
    await vi.waitFor(() => expect(cardIds(el)).toEqual([4, 6, 8, 10]));
    expect(engines[0].events).toMatchObject([{ itemId: 2, type: 'like' }]);
    expect(seen).toEqual([{ itemId: 2, externalId: 'ext-2', kind: 'like' }]);
    expect(shadow(el).activeElement?.getAttribute('part')).toBe('button like');
  });

  it('item-href fills the link; localrec-open can be cancelled and the open is recorded', async () => {
    const el = mount({ model: MODEL, limit: '3', 'item-href': '/movies/{id}' });
    await vi.waitFor(() => expect(cardIds(el)).toHaveLength(3));
    const link = shadow(el).querySelector('li[data-item-id="1"] a[part="title"]') as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe(`${new URL('/movies/1', document.baseURI).href}`);
    const opened: FeedOpenDetail[] = [];
    el.addEventListener('localrec-open', (e: CustomEvent<FeedOpenDetail>) => { opened.push(e.detail); e.preventDefault(); });
    const click = new MouseEvent('click', { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(opened[0]).toMatchObject({ itemId: 1, externalId: 'ext-1', title: 'Item 1' });
    await vi.waitFor(() => expect(engines[0].events).toMatchObject([{ itemId: 1, type: 'open' }]));
  });

  it('bad attributes show every problem inside the widget and fire localrec-error; nothing starts', async () => {
    const errors: FeedErrorDetail[] = [];
    document.addEventListener('localrec-error', (e) => errors.push((e as CustomEvent<FeedErrorDetail>).detail), { once: true });
    const el = mount({ model: MODEL, limit: 'ten', device: 'tpu' });
    await vi.waitFor(() => expect(el.dataset.state).toBe('error'));
    const alert = shadow(el).querySelector('[role="alert"]')?.textContent ?? '';
    expect(alert).toContain('misconfigured');
    expect(alert).toContain('limit="ten"');
    expect(alert).toContain('device="tpu"');
    expect(errors[0].code).toBe('INVALID_INPUT');
    expect(engines).toHaveLength(0);
    el.setAttribute('limit', '3');
    el.setAttribute('device', 'wasm');
    await vi.waitFor(() => expect(cardIds(el)).toHaveLength(3));
    expect(shadow(el).querySelector('[role="alert"]')).toBeNull();
  });

  it('a model that fails to load shows the engine error and its code', async () => {
    const el = mount({ model: MODEL });
    const errors: FeedErrorDetail[] = [];
    el.addEventListener('localrec-error', (e: CustomEvent<FeedErrorDetail>) => errors.push(e.detail));
    await vi.waitFor(() => expect(engines).toHaveLength(1));
    const { LocalRecError } = await import('./api');
    engines[0].failLoading(new LocalRecError('MODEL_LOAD_FAILED', 'manifest.json answered 404. Check the model URL.'));
    await vi.waitFor(() => expect(el.dataset.state).toBe('error'));
    expect(errors[0]).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect(shadow(el).querySelector('[role="alert"]')?.textContent).toContain(`the model at ${MODEL} could not be loaded`);
    expect(shadow(el).querySelector('[role="alert"]')?.textContent).toContain('answered 404');
  });

  it('faults the engine survived are notes: the feed stays, localrec-error fires; the privacy menu says data is in memory only', async () => {
    const el = mount({ model: MODEL, limit: '3' });
    const errors: FeedErrorDetail[] = [];
    el.addEventListener('localrec-error', (e: CustomEvent<FeedErrorDetail>) => errors.push(e.detail));
    await vi.waitFor(() => expect(engines).toHaveLength(1));
    engines[0].finishLoading(false);
    await vi.waitFor(() => expect(el.dataset.state).toBe('ready'));
    engines[0].storage = 'memory';
    const memory = 'Your data is kept in memory only and will be gone when you close this tab: IndexedDB could not be opened (<b>denied</b>).';
    engines[0].request.onProgress({ status: 'error', during: 'storage', code: 'STORAGE_UNAVAILABLE', message: memory });
    engines[0].request.onProgress({ status: 'error', during: 'worker', code: 'WORKER_CRASHED', message: 'The recommendation engine stopped unexpectedly; it was restarted.' });
    engines[0].request.onProgress({ status: 'error', during: 'storage', code: 'STORAGE_UNAVAILABLE', message: memory });
    const notes = [...shadow(el).querySelectorAll('[part="note"]')];
    expect(notes.map((n) => n.getAttribute('data-code'))).toEqual(['WORKER_CRASHED', 'STORAGE_UNAVAILABLE']);
    expect(notes[1].textContent).toBe(memory); // as text: the <b> is not markup
    expect(shadow(el).querySelector('b')).toBeNull();
    expect(el.dataset.state).toBe('ready');
    expect(cardIds(el)).toHaveLength(3);
    expect(errors.map((e) => e.code)).toEqual(['STORAGE_UNAVAILABLE', 'WORKER_CRASHED', 'STORAGE_UNAVAILABLE']);
    (shadow(el).querySelector('[part~="privacy-button"]') as HTMLButtonElement).click();
    const menu = shadow(el).querySelector('[part="menu"]') as HTMLElement;
    await vi.waitFor(() => expect(menu.textContent).toContain("Kept only in this tab's memory"));
    // A fault it does not survive still shows as the error it is.
    engines[0].request.onProgress({ status: 'error', during: 'learn', code: 'INTERNAL', message: 'boom' });
    await vi.waitFor(() => expect(el.dataset.state).toBe('error'));
  });

  it('two elements share one engine; a conflicting device is reported; the last removal disposes it', async () => {
    const a = mount({ model: MODEL, device: 'wasm', limit: '3' });
    const conflicts: FeedErrorDetail[] = [];
    document.addEventListener('localrec-error', (e) => conflicts.push((e as CustomEvent<FeedErrorDetail>).detail));
    const b = mount({ model: MODEL, device: 'cpu', limit: '2' });
    await vi.waitFor(() => expect(cardIds(b)).toHaveLength(2));
    await vi.waitFor(() => expect(cardIds(a)).toHaveLength(3));
    expect(engines).toHaveLength(1);
    expect(engines[0].request.device).toBe('wasm');
    expect(conflicts.map((c) => c.code)).toEqual(['DEVICE_CONFLICT']);
    expect(shadow(b).querySelector('[part="note"]')?.textContent).toContain('device="cpu" was ignored');
    a.remove();
    await Promise.resolve();
    await Promise.resolve();
    expect(engines[0].disposed).toBe(false);
    b.remove();
    await vi.waitFor(() => expect(engines[0].disposed).toBe(true));
  });

  it('moving an element in the page keeps its engine', async () => {
    const el = mount({ model: MODEL });
    await vi.waitFor(() => expect(engines).toHaveLength(1));
    const div = document.createElement('div');
    document.body.append(div);
    div.append(el);
    await new Promise((r) => setTimeout(r, 10));
    expect(engines).toHaveLength(1);
    expect(engines[0].disposed).toBe(false);
  });

  it('consent="required": no engine, no storage; interactions re-rank in memory; grantConsent stores them', async () => {
    const el = mount({ model: MODEL, limit: '4', consent: 'required' });
    await vi.waitFor(() => expect(cardIds(el)).toEqual([1, 2, 3, 4]));
    expect(el.dataset.state).toBe('consent-pending');
    expect(el.dataset.source).toBe('memory');
    expect(el.consentGiven).toBe(false);
    expect(fetchCatalog).toHaveBeenCalledWith(MODEL);
    button(el, 2, 'like').click();
    await vi.waitFor(() => expect(cardIds(el)).toEqual([4, 6, 8, 10]));
    expect(engines).toHaveLength(0);
    shadow(el).querySelector<HTMLButtonElement>('[part~="privacy-button"]')?.click();
    await vi.waitFor(() => expect(shadow(el).querySelector('[part="menu"]')?.textContent).toContain('Nothing is stored'));
    expect(shadow(el).querySelector('[part~="delete"]')).toBeNull();
    await el.grantConsent();
    expect(el.consentGiven).toBe(true);
    expect(engines).toHaveLength(1);
    expect(engines[0].events).toMatchObject([{ itemId: 2, type: 'like' }]);
    await el.grantConsent();
    expect(engines).toHaveLength(1);
  });

  it('the privacy menu says what is stored, deletes after a second click, and Escape closes it', async () => {
    const el = mount({ model: MODEL, limit: '3' });
    await vi.waitFor(() => expect(cardIds(el)).toHaveLength(3));
    await engines[0].record({ itemId: 9, type: 'view', at: 1 });
    const toggle = shadow(el).querySelector('[part~="privacy-button"]') as HTMLButtonElement;
    toggle.click();
    const menu = shadow(el).querySelector('[part="menu"]') as HTMLElement;
    await vi.waitFor(() => expect(menu.textContent).toContain('1 interaction'));
    expect(menu.textContent).toContain('localrec:widget:cdn.example:tiny');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const del = shadow(el).querySelector('[part~="delete"]') as HTMLButtonElement;
    del.click();
    expect(engines[0].deleted).toBe(0);
    del.click();
    await vi.waitFor(() => expect(engines[0].deleted).toBe(1));
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(menu.hidden).toBe(true);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(shadow(el).activeElement).toBe(toggle);
  });

  it('"why this?" shows the explanation and Escape hides it', async () => {
    const el = mount({ model: MODEL, limit: '3' });
    await vi.waitFor(() => expect(cardIds(el)).toHaveLength(3));
    engines[0].finishLoading();
    await vi.waitFor(() => expect(el.dataset.state).toBe('ready'));
    const why = button(el, 3, 'why');
    why.click();
    const text = shadow(el).querySelector('li[data-item-id="3"] [part="why"]') as HTMLElement;
    await vi.waitFor(() => expect(text.textContent).toContain('Because of Item 1'));
    expect(why.getAttribute('aria-expanded')).toBe('true');
    why.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(text.hidden).toBe(true);
  });

  it('defining twice returns the existing class instead of throwing', () => {
    const first = customElements.get('test-feed');
    expect(defineLocalRecFeed('test-feed', { registry, fetchCatalog })).toBe(first);
  });
});
