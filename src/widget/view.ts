import type { CatalogEntry, ReadyInfo } from './api';

/** Creates an element with attributes and children (text is always set as text, never as HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== null) el.append(child);
  return el;
}

/** The static skeleton of the shadow root; the element fills its slots. */
export interface FeedSkeleton {
  root: HTMLElement;
  status: HTMLParagraphElement;
  notes: HTMLElement;
  list: HTMLUListElement;
  privacyButton: HTMLButtonElement;
  menu: HTMLElement;
}

let nextId = 0;

export function buildSkeleton(): FeedSkeleton {
  const menuId = `localrec-privacy-${++nextId}`;
  const status = h('p', { class: 'status', part: 'status', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const privacyButton = h('button', { type: 'button', part: 'button privacy-button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': menuId }, 'Privacy');
  const menu = h('div', { class: 'menu', part: 'menu', id: menuId, role: 'dialog', 'aria-label': 'Your data in this recommender', hidden: true });
  const header = h('div', { class: 'header', part: 'header' },
    h('div', {}, h('p', { class: 'heading', part: 'heading' }, 'Recommended for you'), status),
    h('div', { class: 'menu-wrap' }, privacyButton, menu));
  const notes = h('div', { class: 'notes', part: 'notes' });
  const list = h('ul', { class: 'list', part: 'list', 'aria-label': 'Recommendations' });
  const root = h('section', { class: 'root', part: 'container', 'aria-label': 'Recommended for you' }, header, notes, list);
  return { root, status, notes, list, privacyButton, menu };
}

/** One card's controls, for the element to wire. */
export interface CardView {
  card: HTMLLIElement;
  title: HTMLAnchorElement | HTMLButtonElement;
  like: HTMLButtonElement;
  dismiss: HTMLButtonElement;
  why: HTMLButtonElement;
  whyText: HTMLParagraphElement;
}

export function buildCard(item: CatalogEntry, href: string | null, liked: boolean): CardView {
  const whyId = `localrec-why-${++nextId}`;
  const title = href === null
    ? h('button', { type: 'button', class: 'title', part: 'title', dir: 'auto' }, item.title)
    : h('a', { class: 'title', part: 'title', href, dir: 'auto' }, item.title);
  const meta = [item.year === null ? '' : String(item.year), item.genres.join(', ')].filter(Boolean).join(' · ');
  const like = h('button', { type: 'button', part: 'button like', 'aria-pressed': liked ? 'true' : 'false', 'aria-label': `Like ${item.title}` }, 'Like');
  const dismiss = h('button', { type: 'button', part: 'button dismiss', 'aria-label': `Not interested in ${item.title}` }, 'Not interested');
  const why = h('button', { type: 'button', part: 'button why', 'aria-expanded': 'false', 'aria-controls': whyId, 'aria-label': `Why ${item.title}?` }, 'Why this?');
  const whyText = h('p', { class: 'why', part: 'why', id: whyId, hidden: true });
  const card = h('li', { class: 'card', part: 'card', 'data-item-id': String(item.id) },
    title, h('span', { class: 'meta', part: 'meta', dir: 'auto' }, meta), h('div', { class: 'actions', part: 'actions' }, like, dismiss, why), whyText);
  return { card, title, like, dismiss, why, whyText };
}

/** Replaces the content of a notes/error box with a message and optional list of details. */
export function renderMessage(kind: 'note' | 'error', message: string, details: string[] = []): HTMLElement {
  return h('div', { class: kind, part: kind, role: kind === 'error' ? 'alert' : 'note' },
    h('strong', {}, message),
    details.length > 0 ? h('ul', {}, ...details.map((d) => h('li', {}, d))) : null);
}

/** The backend in words, for the status line (threads matter: they need an isolated host page). */
export function backendLabel(info: ReadyInfo): string {
  switch (info.backend) {
    case 'wasm': return info.threads ? 'WASM, multi-threaded' : 'WASM, single-threaded';
    case 'webgpu': return info.adapter ? `WebGPU (${info.adapter})` : 'WebGPU';
    case 'cpu': return 'CPU (slow)';
  }
}

/** Which control of which card had focus before a re-render. */
export interface SavedFocus {
  index: number;
  part: string;
}

export function saveFocus(root: ShadowRoot | null, list: HTMLElement): SavedFocus | null {
  const active = root?.activeElement;
  const card = active?.closest('li.card');
  if (!active || !card) return null;
  return { index: [...list.children].indexOf(card), part: active.getAttribute('part') ?? '' };
}

/** Puts focus on the same control of the card now at that position (a liked card has left). */
export function restoreFocus(list: HTMLElement, fallback: HTMLElement, { index, part }: SavedFocus): void {
  const cards = list.children;
  if (cards.length === 0) { fallback.focus(); return; }
  const card = cards[Math.min(index, cards.length - 1)];
  const target = [...card.querySelectorAll<HTMLElement>('[part]')].find((el) => el.getAttribute('part') === part);
  (target ?? card.querySelector<HTMLElement>('button'))?.focus();
}
