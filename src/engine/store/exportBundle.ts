import { LocalRecError } from '../errors';
import type { EngineSettings, ExportBundle, ExportedCheckpoint, InteractionEvent } from '../recommender/types';
import { isEventType } from '../signals';
import type { AdamState } from '../train/adam';
import { isAdapterKind, MAX_ADAPTER_RANK, type AdapterKind, type StoredAdapter } from '../train/adapters';
import { sparseRowsProblem } from '../train/sparseRows';
import { DEFAULT_SETTINGS, type StoredCheckpoint } from './localStore';

function toBase64(a: Float32Array | Int32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Bytes of a base64 string holding 4-byte values, or null. */
function bytesFromBase64(s: unknown): ArrayBuffer | null {
  if (typeof s !== 'string') return null;
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    return null;
  }
  if (bin.length % 4 !== 0) return null;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

function fromBase64(s: string): Float32Array | null {
  const b = bytesFromBase64(s);
  return b ? new Float32Array(b) : null;
}

const mapRecord = <A, B>(r: Record<string, A>, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));

export function exportCheckpoint(c: StoredCheckpoint): ExportedCheckpoint {
  return {
    modelId: c.modelId,
    steps: c.steps,
    updatedAt: c.updatedAt,
    trainedEvents: c.trainedEvents,
    weights: mapRecord(c.weights, toBase64),
    ...(c.sparse ? { sparse: mapRecord(c.sparse, (r) => ({ ids: toBase64(r.ids), values: toBase64(r.values) })) } : {}),
    optimizer: c.optimizer
      ? {
        step: c.optimizer.step,
        m: mapRecord(c.optimizer.m, toBase64),
        v: mapRecord(c.optimizer.v, toBase64),
        ...(c.optimizer.rows ? { rows: mapRecord(c.optimizer.rows, (r) => ({ ids: toBase64(r.ids), m: toBase64(r.m), v: toBase64(r.v) })) } : {}),
      }
      : null,
    ...(c.adapter ? { adapter: { kind: c.adapter.kind, rank: c.adapter.rank, tensors: mapRecord(c.adapter.tensors, toBase64) } } : {}),
  };
}

export function makeBundle(model: string, events: InteractionEvent[], settings: EngineSettings, checkpoint: StoredCheckpoint | null, now = Date.now()): ExportBundle {
  return {
    format: 'localrec-export',
    version: 1,
    exportedAt: now,
    model,
    events: events.map((e) => ({ itemId: e.itemId, type: e.type, at: e.at })),
    settings: { ...settings },
    checkpoint: checkpoint ? exportCheckpoint(checkpoint) : null,
  };
}

/** What an import may contain for the loaded model. */
export interface ImportTarget {
  numItems: number;
  modelId: string;
  /** Element count of every model parameter, by name. */
  weightSizes: ReadonlyMap<string, number>;
  /**
   * Shapes of a per-person adapter of this kind and rank for the loaded model (`adapterShapes`);
   * without it a bundle carrying an adapter is refused.
   */
  adapterShapes?: (kind: AdapterKind, rank: number) => ReadonlyMap<string, number[]>;
  /** Row count of the 2-D parameters a checkpoint may store by rows (see `checkCheckpoint`). */
  weightRows?: ReadonlyMap<string, number>;
}

export interface ValidatedImport {
  events: InteractionEvent[];
  settings: EngineSettings;
  /** Null when the bundle has none, or it belongs to other pretrained weights (see `checkpointSkipped`). */
  checkpoint: StoredCheckpoint | null;
  checkpointSkipped: string | null;
}

const MAX_PROBLEMS = 5;

/**
 * Strictly checks an export bundle before anything is stored. Throws IMPORT_INVALID listing
 * (up to 5) problems. A checkpoint trained from other pretrained weights is left out, not applied.
 */
export function validateBundle(raw: unknown, target: ImportTarget): ValidatedImport {
  const problems: string[] = [];
  const fail = (): never => {
    throw new LocalRecError('IMPORT_INVALID', `This is not a usable LocalRec export: ${problems.slice(0, MAX_PROBLEMS).join('; ')}${problems.length > MAX_PROBLEMS ? `; and ${problems.length - MAX_PROBLEMS} more` : ''}. Nothing was changed.`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) { problems.push('the file is not a JSON object'); fail(); }
  const b = raw as Record<string, unknown>;
  if (b.format !== 'localrec-export') problems.push(`"format" must be "localrec-export" (got ${JSON.stringify(b.format)})`);
  if (b.version !== 1) problems.push(`"version" ${JSON.stringify(b.version)} is not supported (expected 1)`);
  if (typeof b.exportedAt !== 'number') problems.push('"exportedAt" must be a number');
  if (typeof b.model !== 'string') problems.push('"model" must be a string');
  if (!Array.isArray(b.events)) problems.push('"events" must be an array');
  if (problems.length) fail();

  const events: InteractionEvent[] = [];
  (b.events as unknown[]).forEach((x, i) => {
    const e = x as Record<string, unknown>;
    if (typeof e !== 'object' || e === null) { problems.push(`events[${i}] is not an object`); return; }
    const extra = Object.keys(e).filter((k) => !['itemId', 'type', 'at'].includes(k));
    if (extra.length) problems.push(`events[${i}] has unknown field(s) ${extra.join(', ')}`);
    if (!Number.isInteger(e.itemId) || (e.itemId as number) < 1 || (e.itemId as number) > target.numItems) problems.push(`events[${i}].itemId must be an item id 1..${target.numItems} (got ${JSON.stringify(e.itemId)})`);
    if (!isEventType(e.type)) problems.push(`events[${i}].type ${JSON.stringify(e.type)} is not an event type`);
    if (typeof e.at !== 'number' || !Number.isFinite(e.at) || e.at < 0) problems.push(`events[${i}].at must be a time in ms`);
    if (isEventType(e.type)) events.push({ itemId: e.itemId as number, type: e.type, at: e.at as number });
  });

  const s = b.settings as Record<string, unknown> | undefined;
  const settings: Partial<EngineSettings> = {};
  if (typeof s !== 'object' || s === null || Array.isArray(s)) problems.push('"settings" must be an object');
  else {
    for (const [k, v] of Object.entries(s)) {
      if (k === 'discover') { if (typeof v === 'number' && v >= 0 && v <= 1) settings.discover = v; else problems.push('settings.discover must be a number in [0, 1]'); }
      else if (k === 'autoLearn' || k === 'onboarded') { if (typeof v === 'boolean') settings[k] = v; else problems.push(`settings.${k} must be true or false`); }
      else problems.push(`settings has an unknown key "${k}"`);
    }
  }

  let checkpoint: StoredCheckpoint | null = null;
  let checkpointSkipped: string | null = null;
  if (b.checkpoint !== null && b.checkpoint !== undefined) {
    const c = b.checkpoint as Record<string, unknown>;
    // Adapter tensors (and their optimizer moments) are checked against the adapter's shapes.
    const sizes = new Map(target.weightSizes);
    const decodeAll = (r: unknown, where: string): Record<string, Float32Array> | null => {
      if (typeof r !== 'object' || r === null) { problems.push(`${where} must be an object`); return null; }
      const out: Record<string, Float32Array> = {};
      for (const [name, v] of Object.entries(r)) {
        const size = sizes.get(name);
        const arr = typeof v === 'string' ? fromBase64(v) : null;
        if (size === undefined) problems.push(`${where}: "${name}" is not a parameter of this model`);
        else if (!arr) problems.push(`${where}.${name} is not base64 float32 data`);
        else if (arr.length !== size) problems.push(`${where}.${name} has ${arr.length} values, the model needs ${size}`);
        else if (arr.some((x) => !Number.isFinite(x))) problems.push(`${where}.${name} contains NaN or infinite values`);
        else out[name] = arr;
      }
      return out;
    };
    const readAdapter = (raw: unknown): StoredAdapter | null => {
      const a = raw as Record<string, unknown>;
      if (typeof a !== 'object' || a === null || Array.isArray(a)) { problems.push('checkpoint.adapter must be an object'); return null; }
      if (!isAdapterKind(a.kind)) { problems.push(`checkpoint.adapter.kind ${JSON.stringify(a.kind)} is not an adapter kind (lora, bias, userEmbedding)`); return null; }
      const rank = a.rank;
      if (!Number.isInteger(rank) || (rank as number) < (a.kind === 'lora' ? 1 : 0) || (rank as number) > MAX_ADAPTER_RANK) { problems.push(`checkpoint.adapter.rank must be a whole number ${a.kind === 'lora' ? 1 : 0}..${MAX_ADAPTER_RANK}`); return null; }
      if (!target.adapterShapes) { problems.push('the file holds a personal adapter, which this app cannot load; export it again without one or update the app'); return null; }
      const shapes = target.adapterShapes(a.kind, rank as number);
      for (const [n, shape] of shapes) sizes.set(n, shape.reduce((x, y) => x * y, 1));
      const tensors = decodeAll(a.tensors, 'checkpoint.adapter.tensors');
      if (!tensors) return null;
      const missing = [...shapes.keys()].filter((n) => !(n in tensors));
      if (missing.length) { problems.push(`checkpoint.adapter.tensors lacks ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`); return null; }
      return { kind: a.kind, rank: rank as number, tensors };
    };
    /** Row-stored parameters: base64 fields decoded, then checked like a stored checkpoint's. */
    const decodeRows = <K extends string>(r: unknown, where: string, arrays: readonly K[]): Record<string, { ids: Int32Array } & Record<K, Float32Array>> | null => {
      if (r === undefined) return {};
      if (typeof r !== 'object' || r === null) { problems.push(`${where} must be an object`); return null; }
      const out: Record<string, { ids: Int32Array } & Record<K, Float32Array>> = {};
      for (const [name, v] of Object.entries(r)) {
        const f = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
        const ids = bytesFromBase64(f.ids);
        const decoded: Record<string, Int32Array | Float32Array | null> = { ids: ids ? new Int32Array(ids) : null };
        for (const a of arrays) { const b = bytesFromBase64(f[a]); decoded[a] = b ? new Float32Array(b) : null; }
        const bad = Object.entries(decoded).find(([, x]) => x === null);
        if (bad) { problems.push(`${where}.${name}.${bad[0]} is not base64 data`); continue; }
        const size = target.weightSizes.get(name);
        const rows = target.weightRows?.get(name);
        const problem = size === undefined || rows === undefined
          ? `${where}: "${name}" is not a row-stored parameter of this model`
          : sparseRowsProblem(decoded, `${where}.${name}`, rows, size / rows, arrays);
        if (problem) problems.push(problem);
        else out[name] = decoded as { ids: Int32Array } & Record<K, Float32Array>;
      }
      return out;
    };
    if (typeof c !== 'object' || c === null) problems.push('"checkpoint" must be an object or null');
    else if (c.modelId !== target.modelId) {
      checkpointSkipped = `the fine-tuned model in the file was trained from ${JSON.stringify(c.modelId)}, this app runs ${target.modelId}`;
    } else {
      if (!Number.isInteger(c.steps) || (c.steps as number) < 0) problems.push('checkpoint.steps must be an integer >= 0');
      if (typeof c.updatedAt !== 'number') problems.push('checkpoint.updatedAt must be a number');
      if (!Number.isInteger(c.trainedEvents) || (c.trainedEvents as number) < 0) problems.push('checkpoint.trainedEvents must be an integer >= 0');
      const adapter = c.adapter === undefined ? null : readAdapter(c.adapter);
      const weights = decodeAll(c.weights, 'checkpoint.weights');
      let optimizer: AdamState | null = null;
      if (c.optimizer !== null && c.optimizer !== undefined) {
        const o = c.optimizer as Record<string, unknown>;
        if (!Number.isInteger(o.step)) problems.push('checkpoint.optimizer.step must be an integer');
        const m = decodeAll(o.m, 'checkpoint.optimizer.m');
        const v = decodeAll(o.v, 'checkpoint.optimizer.v');
        const rows = decodeRows(o.rows, 'checkpoint.optimizer.rows', ['m', 'v'] as const);
        if (m && v && rows) optimizer = { step: o.step as number, m, v, ...(o.rows !== undefined ? { rows } : {}) };
      }
      const sparse = decodeRows(c.sparse, 'checkpoint.sparse', ['values'] as const);
      if (weights && sparse) {
        checkpoint = {
          modelId: target.modelId, steps: c.steps as number, updatedAt: c.updatedAt as number, trainedEvents: c.trainedEvents as number, weights,
          ...(c.sparse !== undefined ? { sparse } : {}), optimizer, ...(adapter ? { adapter } : {}),
        };
      }
    }
  }
  if (problems.length) fail();
  return { events, settings: { ...DEFAULT_SETTINGS, ...settings }, checkpoint, checkpointSkipped };
}
