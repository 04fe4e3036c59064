import * as tf from '@tensorflow/tfjs';
import { LocalRecError, ModelLoadError } from '../errors';
import { validateReplay } from '../train/replay';
import type { FileCache } from '../loading/fileCache';
import { commitModelToCache, fetchManifest, fetchModelFiles, requiredFiles, type FetchLike } from '../loading/fetchModelFiles';
import type { ModelManifest } from '../loading/manifest';
import { parseCatalog } from '../loading/parseCatalog';
import { modelIdOf, parseModel } from '../loading/parseModelFiles';
import type { SasRec } from '../model/sasrec';
import { CatalogIndex } from '../rank/rankFeed';
import { selectBackend, type BackendInfo } from '../runtime/selectBackend';
import type { Device, ProgressEvent, WasmPaths } from './types';

/** A model on its backend, with a copy of the pretrained weights. */
function parseJsonBytes(bytes: ArrayBuffer): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}

export interface LoadedModel {
  manifest: ModelManifest;
  modelId: string;
  model: SasRec;
  /** Pretrained values of every parameter (the anchor of fine-tuning and of resetModel). */
  pretrained: Map<string, tf.Tensor>;
  backend: BackendInfo;
  catalog: CatalogIndex;
  /** Replay exemplars shipped with the model (`replay.json`), mixed into fine-tuning; [] when absent. */
  replay: number[][];
}

export interface LoadModelFolderOptions {
  /** Absolute folder URL ending in "/". */
  folder: string;
  device: Device;
  wasmPaths?: WasmPaths;
  wasmThreads?: boolean;
  /** Test hook: `auto` may pick a software WebGPU adapter. */
  acceptSoftwareGpu?: boolean;
  fetch?: FetchLike;
  cache: FileCache | null;
  onProgress: (e: ProgressEvent) => void;
  /** Called as soon as the verified catalog is in (before the weights). */
  onCatalog: (c: CatalogIndex) => void;
  signal: AbortSignal;
}

/**
 * Starts the backend and downloads the folder at the same time (manifest, then catalog, model,
 * weights, each verified), then builds the model on the chosen backend.
 */
export async function loadModelFolder(o: LoadModelFolderOptions): Promise<LoadedModel> {
  const fetchOpts = { fetch: o.fetch, cache: o.cache, onProgress: o.onProgress, signal: o.signal };
  let catalog: CatalogIndex | null = null;
  const [backend, files] = await Promise.all([
    selectBackend(o.device, { wasmPaths: o.wasmPaths, wasmThreads: o.wasmThreads, acceptSoftwareGpu: o.acceptSoftwareGpu }),
    (async () => {
      const manifest = await fetchManifest(o.folder, fetchOpts);
      const bytes = await fetchModelFiles(o.folder, manifest, requiredFiles(manifest), {
        ...fetchOpts,
        onFile: (path, b) => {
          if (path !== 'catalog.json') return;
          catalog = new CatalogIndex(parseCatalog(b));
          o.onCatalog(catalog);
        },
      });
      if (o.cache) await commitModelToCache(o.folder, manifest, o.cache);
      return { manifest, bytes };
    })(),
  ]);
  if (!catalog) throw new LocalRecError('MODEL_FORMAT', 'The model folder has no catalog.json. Re-export it.');
  const cat: CatalogIndex = catalog;
  if (o.signal.aborted) throw new LocalRecError('ABORTED', 'Model loading was cancelled.');
  const model = parseModel(files.bytes);
  if (cat.items.some((it) => it.id > model.config.numItems)) {
    model.dispose();
    throw new LocalRecError('MODEL_FORMAT', `catalog.json has item ids above the model's ${model.config.numItems} items. The catalog belongs to another model.`);
  }
  let replay: number[][] = [];
  const replayBytes = files.bytes.get('replay.json');
  if (replayBytes) {
    try {
      replay = validateReplay(parseJsonBytes(replayBytes), model.config.numItems);
    } catch (err) {
      model.dispose();
      if (err instanceof SyntaxError) throw new ModelLoadError('MODEL_FORMAT', 'replay.json is not valid JSON. Regenerate it with npm run make:replay or re-export the model folder.');
      throw err;
    }
  }
  const pretrained = new Map([...model.weights].map(([n, v]) => [n, tf.clone(v)] as [string, tf.Tensor]));
  return { manifest: files.manifest, modelId: modelIdOf(files.manifest), model, pretrained, backend, catalog: cat, replay };
}
