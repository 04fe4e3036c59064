import type { Device } from './api';

/** The attributes `<localrec-feed>` reads (all others are ignored). */
export const OBSERVED_ATTRIBUTES = ['model', 'limit', 'discover', 'device', 'consent', 'item-href'] as const;

/** Feed length when `limit` is absent, and the largest accepted. */
export const DEFAULT_LIMIT = 12;
export const MAX_LIMIT = 100;
/** 0 = familiar ... 1 = discover, when `discover` is absent. */
export const DEFAULT_WIDGET_DISCOVER = 0.25;

const DEVICES: readonly Device[] = ['auto', 'webgpu', 'wasm', 'cpu'];

/** A parsed, valid configuration of one element. */
export interface FeedConfig {
  /** Absolute model folder URL, ending in "/". */
  modelUrl: string;
  limit: number;
  discover: number;
  device: Device;
  /** `required`: nothing is stored until the host calls `grantConsent()`. */
  consentRequired: boolean;
  /** Link template with `{id}` (and optionally `{externalId}`), or null: the host handles `localrec-open`. */
  itemHref: string | null;
}

/** One bad attribute: which, what was given, what is accepted. */
export interface AttributeProblem {
  attribute: (typeof OBSERVED_ATTRIBUTES)[number];
  message: string;
}

export type ParsedAttributes = { ok: true; config: FeedConfig } | { ok: false; problems: AttributeProblem[] };

/**
 * Reads the element's attributes into a config, or lists every problem (with what is accepted),
 * so the widget can show all of them at once.
 *
 * @example
 * parseFeedAttributes((n) => el.getAttribute(n), document.baseURI);
 */
export function parseFeedAttributes(get: (name: string) => string | null, baseUrl: string): ParsedAttributes {
  const problems: AttributeProblem[] = [];
  const model = parseModel(get('model'), baseUrl, problems);
  const limit = parseLimit(get('limit'), problems);
  const discover = parseDiscover(get('discover'), problems);
  const device = parseDevice(get('device'), problems);
  const consent = get('consent');
  if (consent !== null && consent !== 'required' && consent !== 'implied') {
    problems.push({ attribute: 'consent', message: `consent="${consent}" is not supported: use "required" (store nothing until grantConsent()) or leave it out.` });
  }
  const itemHref = get('item-href');
  if (itemHref !== null && !itemHref.includes('{id}') && !itemHref.includes('{externalId}')) {
    problems.push({ attribute: 'item-href', message: `item-href="${itemHref}" has no {id} or {externalId} placeholder, so every item would link to the same page.` });
  }
  if (problems.length > 0 || model === null) return { ok: false, problems };
  return { ok: true, config: { modelUrl: model, limit, discover, device, consentRequired: consent === 'required', itemHref } };
}

function parseModel(raw: string | null, baseUrl: string, problems: AttributeProblem[]): string | null {
  if (raw === null || raw.trim() === '') {
    problems.push({ attribute: 'model', message: 'The model attribute is missing: give the URL of a LocalRec model folder, e.g. model="https://cdn.example.com/models/ml-1m-sasrec/".' });
    return null;
  }
  let url: URL;
  try {
    url = new URL(raw.trim(), baseUrl);
  } catch (err) {
    problems.push({ attribute: 'model', message: `model="${raw}" is not a URL (${err instanceof Error ? err.message : String(err)}).` });
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push({ attribute: 'model', message: `model="${raw}" must be an http(s) URL of a model folder.` });
    return null;
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url.href;
}

function parseLimit(raw: string | null, problems: AttributeProblem[]): number {
  if (raw === null) return DEFAULT_LIMIT;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    problems.push({ attribute: 'limit', message: `limit="${raw}" must be a whole number from 1 to ${MAX_LIMIT} (the number of items shown).` });
    return DEFAULT_LIMIT;
  }
  return n;
}

function parseDiscover(raw: string | null, problems: AttributeProblem[]): number {
  if (raw === null) return DEFAULT_WIDGET_DISCOVER;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    problems.push({ attribute: 'discover', message: `discover="${raw}" must be a number from 0 (familiar) to 1 (discover).` });
    return DEFAULT_WIDGET_DISCOVER;
  }
  return n;
}

function parseDevice(raw: string | null, problems: AttributeProblem[]): Device {
  if (raw === null) return 'auto';
  const d = DEVICES.find((x) => x === raw.trim());
  if (!d) {
    problems.push({ attribute: 'device', message: `device="${raw}" is unknown: use one of ${DEVICES.join(', ')}.` });
    return 'auto';
  }
  return d;
}

/**
 * Storage namespace of a model's widgets: all `<localrec-feed>` with the same model share it
 * (IndexedDB database `localrec:widget:<folder>`), and it never collides with the host's own databases.
 */
export function widgetNamespace(modelUrl: string): string {
  const url = new URL(modelUrl);
  const folder = url.pathname.split('/').filter(Boolean).pop() ?? 'model';
  return `widget:${url.host}:${folder}`;
}

/** Fills an `item-href` template; values are URL-encoded. */
export function fillItemHref(template: string, item: { id: number; externalId: string }, baseUrl: string): string {
  const filled = template.replaceAll('{id}', encodeURIComponent(String(item.id))).replaceAll('{externalId}', encodeURIComponent(item.externalId));
  return new URL(filled, baseUrl).href;
}
