import { ModelLoadError } from '../errors';
import { decodeModel, validateModelJson } from '../model/modelFormat';
import type { SasRec } from '../model/sasrec';
import type { ModelManifest } from './manifest';

function parseJson(file: string, bytes: ArrayBuffer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelLoadError('MODEL_FORMAT', `${file} is not valid JSON. Re-export the model folder.`);
  }
}

/** Rebuilds the SasRec model from model.json and its weight shards (in manifest order). */
export function parseModel(files: Map<string, ArrayBuffer>): SasRec {
  const jsonBytes = files.get('model.json');
  if (!jsonBytes) throw new ModelLoadError('MODEL_LOAD_FAILED', 'model.json is missing from the model folder.');
  const json = validateModelJson(parseJson('model.json', jsonBytes), 'model.json');
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const parts = paths.map((p) => {
    const b = files.get(p);
    if (!b) throw new ModelLoadError('MODEL_LOAD_FAILED', `Weight shard "${p}" named in model.json is not in the model folder's manifest.`);
    return new Uint8Array(b);
  });
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { all.set(p, off); off += p.byteLength; }
  try {
    return decodeModel(json, all.buffer);
  } catch (err) {
    throw new ModelLoadError('MODEL_FORMAT', err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Identifies the pretrained weights: checkpoints trained from other weights are not applied. */
export function modelIdOf(manifest: ModelManifest): string {
  const part = (p: string) => manifest.files.find((f) => f.path === p)?.sha256.slice(0, 12) ?? 'none';
  const bins = manifest.files.filter((f) => f.path.endsWith('.bin')).map((f) => f.sha256.slice(0, 12)).join('+');
  return `${manifest.name}@${part('model.json')}-${bins}`;
}
