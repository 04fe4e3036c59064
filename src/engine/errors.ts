/** Every failure the engine reports carries one of these codes. */
export type LocalRecErrorCode =
  | 'INVALID_INPUT'
  | 'PARSE_ERROR'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_INTEGRITY'
  | 'MODEL_FORMAT'
  | 'DEVICE_UNAVAILABLE'
  | 'DEVICE_LOST'
  | 'STORAGE_FAILED'
  | 'STORAGE_FULL'
  | 'STORAGE_UNAVAILABLE'
  | 'CHECKPOINT_CORRUPT'
  | 'WORKER_CRASHED'
  | 'IMPORT_INVALID'
  | 'NOT_READY'
  | 'DISPOSED'
  | 'ABORTED'
  | 'INTERNAL';

/**
 * Base class of all engine errors. `message` says what happened and what to do next;
 * `code` is stable and machine-readable; errors crossing the worker keep both.
 */
export class LocalRecError extends Error {
  readonly code: LocalRecErrorCode;
  constructor(code: LocalRecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed data file: names the file, the 1-based line and the problem. */
export class ParseError extends LocalRecError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, problem: string, hint?: string) {
    super(
      'PARSE_ERROR',
      `${file}:${line}: ${problem}${hint ? `. ${hint}` : ''}`,
    );
    this.file = file;
    this.line = line;
  }
}

/** An explicitly requested device is missing; lists what is available. */
export class DeviceUnavailableError extends LocalRecError {
  readonly requested: string;
  readonly available: string[];
  constructor(requested: string, available: string[], reason: string) {
    super(
      'DEVICE_UNAVAILABLE',
      `Device "${requested}" is not available here (${reason}). Available: ${available.join(', ') || 'none'}. ` +
        `Choose one of those, or use device "auto".`,
    );
    this.requested = requested;
    this.available = available;
  }
}

/**
 * The GPU device was lost while the engine ran on it (driver reset, GPU removed, browser
 * reclaiming memory). TensorFlow.js cannot recover a lost device: with an explicitly requested
 * `webgpu` the engine stops with this error, which names the backends that still work.
 */
export class DeviceLostError extends LocalRecError {
  readonly requested: string;
  readonly available: string[];
  constructor(requested: string, available: string[], reason: string) {
    super(
      'DEVICE_LOST',
      `The ${requested === 'webgpu' ? 'WebGPU' : requested} device was lost (${reason}) and cannot be recovered. ` +
        `Your history and fine-tuned weights are kept. Start LocalRec again with device "${available[0] ?? 'auto'}" ` +
        `(available: ${available.join(', ') || 'none'}), or with "auto".`,
    );
    this.requested = requested;
    this.available = available;
  }
}

/** Model files missing, corrupted or in the wrong format. */
export class ModelLoadError extends LocalRecError {}

/** Plain-object form used to send errors across the worker boundary. */
export interface SerializedError {
  name: string;
  code: LocalRecErrorCode;
  message: string;
  /** DeviceUnavailableError / DeviceLostError: what was asked for and what exists, so the UI can offer choices. */
  device?: { requested: string; available: string[] };
}

/** The plain-object form of any thrown value, to send across the worker. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof DeviceUnavailableError || err instanceof DeviceLostError) {
    return { name: err.name, code: err.code, message: err.message, device: { requested: err.requested, available: [...err.available] } };
  }
  if (err instanceof LocalRecError) return { name: err.name, code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { name: 'LocalRecError', code: 'INTERNAL', message };
}

/** Rebuilds the same class on the receiving side of the worker. */
export function deserializeError(e: SerializedError): LocalRecError {
  let err: LocalRecError;
  switch (e.name) {
    case 'DeviceUnavailableError':
      err = new LocalRecError(e.code, e.message);
      Object.setPrototypeOf(err, DeviceUnavailableError.prototype);
      Object.assign(err, { requested: e.device?.requested ?? '', available: e.device?.available ?? [] });
      break;
    case 'DeviceLostError':
      err = new LocalRecError(e.code, e.message);
      Object.setPrototypeOf(err, DeviceLostError.prototype);
      Object.assign(err, { requested: e.device?.requested ?? '', available: e.device?.available ?? [] });
      break;
    case 'ModelLoadError':
      err = new ModelLoadError(e.code, e.message);
      break;
    case 'ParseError':
      err = new LocalRecError(e.code, e.message);
      Object.setPrototypeOf(err, ParseError.prototype);
      break;
    default:
      err = new LocalRecError(e.code, e.message);
  }
  Object.defineProperty(err, 'name', { value: e.name });
  return err;
}
