import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../errors';
import { validateManifest } from './manifest';

const file = { path: 'model.json', bytes: 10, sha256: 'a'.repeat(64) };

describe('validateManifest: the folder format version', () => {
  it('a manifest without formatVersion (every folder before the field) is version 1 and keeps loading', () => {
    expect(validateManifest({ format: 'localrec-model', version: 1, name: 'old', files: [file] }, 'old/manifest.json'))
      .toEqual({ format: 'localrec-model', version: 1, formatVersion: 1, name: 'old', files: [file] });
  });

  it('versions 1 and 2 are read; a newer version is a MODEL_FORMAT error that says to update LocalRec', () => {
    expect(validateManifest({ format: 'localrec-model', version: 1, formatVersion: 1, name: 'm', files: [file] }, 'm').formatVersion).toBe(1);
    expect(validateManifest({ format: 'localrec-model', version: 1, formatVersion: 2, name: 'm', files: [file] }, 'm').formatVersion).toBe(2);
    let err: unknown;
    try { validateManifest({ format: 'localrec-model', version: 1, formatVersion: 3, name: 'm', files: [file] }, 'https://cdn/m/manifest.json'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('MODEL_FORMAT');
    expect((err as ModelLoadError).message).toMatch(/https:\/\/cdn\/m\/manifest\.json: model folder format version 3 is not supported \(this LocalRec reads versions 1, 2\)\. .*update LocalRec/);
  });
});
