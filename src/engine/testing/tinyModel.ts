import * as tf from '@tensorflow/tfjs';
import { parseModel } from '../loading/parseModelFiles';
import type { SasRec } from '../model/sasrec';
import { tinyModelFile } from './tinyModelFetch';

/** The shipped tiny model, loaded in-process, with a copy of its weights as the pretrained anchor (tests only). */
export interface TinyWithPretrained {
  model: SasRec;
  pretrained: Map<string, tf.Tensor>;
}

export function loadTinyWithPretrained(): TinyWithPretrained {
  const files = new Map(['model.json', 'weights.bin'].map((f) => [f, tinyModelFile(f).slice().buffer as ArrayBuffer]));
  const model = parseModel(files);
  return { model, pretrained: new Map([...model.weights].map(([n, v]) => [n, tf.clone(v)])) };
}

/** Frees what `loadTinyWithPretrained` made. */
export function freeTiny(x: TinyWithPretrained): void {
  x.model.dispose();
  for (const t of x.pretrained.values()) t.dispose();
}
