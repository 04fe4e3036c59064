import { LocalRecError } from '../errors';
import { readFormatVersion } from '../model/formatVersion';

/** Lists every file of a model folder with its size and sha256, so loaders can check integrity. */
export interface ModelManifest {
  format: 'localrec-model';
  /** Version of the manifest file's own layout. */
  version: 1;
  /**
   * Version of the model-folder format the folder follows (docs/MODEL_FORMAT.md); absent in
   * folders written before the field existed, which are read as version 1.
   */
  formatVersion?: number;
  /** Model name shown to people (e.g. "ml-1m-sasrec"). */
  name: string;
  files: ManifestFile[];
}

export interface ManifestFile {
  /** Path relative to the model folder. */
  path: string;
  bytes: number;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
}

export const MANIFEST_FILE = 'manifest.json';

/** Checks the shape of a parsed manifest.json; throws a MODEL_FORMAT error naming what is wrong. */
export function validateManifest(raw: unknown, source: string): ModelManifest {
  const fail = (problem: string): never => {
    throw new LocalRecError('MODEL_FORMAT', `${source}: ${problem}. Re-export the model folder (npm run export:model) or restore it from the release.`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== 'localrec-model') fail(`"format" must be "localrec-model" (got ${JSON.stringify(m.format)})`);
  if (m.version !== 1) fail(`unsupported manifest version ${JSON.stringify(m.version)} (this app reads version 1)`);
  const formatVersion = readFormatVersion(m.formatVersion, source);
  if (typeof m.name !== 'string' || !m.name) fail('"name" must be a non-empty string');
  if (!Array.isArray(m.files) || m.files.length === 0) fail('"files" must be a non-empty array');
  const files = (m.files as unknown[]).map((f, i): ManifestFile => {
    const e = f as Record<string, unknown>;
    if (typeof e?.path !== 'string' || !e.path || e.path.includes('..') || e.path.startsWith('/')) fail(`files[${i}].path must be a relative path inside the folder`);
    if (typeof e.bytes !== 'number' || !Number.isInteger(e.bytes) || e.bytes < 0) fail(`files[${i}].bytes must be a non-negative integer`);
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) fail(`files[${i}].sha256 must be 64 lower-case hex digits`);
    return { path: e.path as string, bytes: e.bytes as number, sha256: e.sha256 as string };
  });
  return { format: 'localrec-model', version: 1, formatVersion, name: m.name as string, files };
}
