import { ModelLoadError } from '../errors';

/**
 * Version of the model-folder format (docs/MODEL_FORMAT.md) that this LocalRec writes. Stored as
 * `formatVersion` in model.json and manifest.json; a folder written before the field existed is
 * version 1. Bump it only for a change an older loader would misread, and add the new number to
 * SUPPORTED_FORMAT_VERSIONS once the loader reads it.
 */
export const MODEL_FORMAT_VERSION = 2;

/**
 * Format versions this loader reads:
 * - 1: sparse item features as int32 column indices + float32 values;
 * - 2: the same entries with compact storage (uint16 columns, float16 or implicit values; each
 *   entry's `dtype` says which, src/engine/model/sparseFeatures.ts). Everything else is as in 1.
 */
export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1, 2];

/**
 * The format version a folder file declares: 1 when absent (folders from before the field), the
 * number when this loader reads it; otherwise a ModelLoadError (code MODEL_FORMAT) naming the
 * version found, the versions supported and what to do.
 *
 * @example
 * readFormatVersion(json.formatVersion, 'model.json'); // 1
 */
export function readFormatVersion(raw: unknown, where: string): number {
  if (raw === undefined) return 1;
  if (typeof raw === 'number' && SUPPORTED_FORMAT_VERSIONS.includes(raw)) return raw;
  const newer = typeof raw === 'number' && Number.isInteger(raw) && raw > MODEL_FORMAT_VERSION;
  throw new ModelLoadError('MODEL_FORMAT',
    `${where}: model folder format version ${JSON.stringify(raw)} is not supported (this LocalRec reads version${SUPPORTED_FORMAT_VERSIONS.length > 1 ? 's' : ''} ${SUPPORTED_FORMAT_VERSIONS.join(', ')}). ` +
    (newer
      ? 'The folder was written by a newer LocalRec: update LocalRec, or re-export the model with this version (npm run export:model).'
      : 'The file is damaged or not a LocalRec model folder: re-export it (npm run export:model) or restore it from the release.'));
}
