/**
 * `localrec/node`: the engine in this thread, for Node tools (CLIs, evaluation, tests). Needs an
 * IndexedDB implementation for `createRecommender` (e.g. `import 'fake-indexeddb/auto'`); model
 * folders on disk load through `fileFetch`. Pages use `localrec` instead (engine in a worker).
 *
 * @example
 * import 'fake-indexeddb/auto';
 * import { pathToFileURL } from 'node:url';
 * import { createRecommender, fileFetch } from 'localrec/node';
 *
 * const engine = createRecommender({ modelUrl: pathToFileURL('public/models/tiny-test/').href, fetch: fileFetch, cache: null, device: 'cpu' });
 * await engine.ready;
 * await engine.record({ itemId: 10, type: 'like', at: Date.now() });
 * console.log(await engine.recommend({ count: 5 }));
 *
 * @packageDocumentation
 */
export { createRecommender } from '../../engine/recommender/createRecommender';
export type { LocalRecommenderOptions } from '../../engine/recommender/createRecommender';
export { fileFetch } from './fileFetch';
export { memoryFileCache } from '../../engine/loading/fileCache';
export type { FileCache } from '../../engine/loading/fileCache';
export type { FetchLike } from '../../engine/loading/fetchModelFiles';
export { rankMetrics } from '../../engine/eval/metrics';
export { rankCases, looMetrics } from '../../engine/eval/protocol';
export type { MetricValues, ScorerRanks } from '../../engine/eval/protocol';
export { sasRecScorer } from '../../engine/eval/sasRecScorer';
export type { Scorer } from '../../engine/eval/scorer';
export type { EvalCase } from '../../engine/eval/rankTargets';
export { evaluateOnDevice } from '../../engine/eval/onDeviceEval';
export type { OnDeviceOptions, OnDeviceReport } from '../../engine/eval/onDeviceEval';
export { interactionsFromText, movieLens100kFromText } from '../../engine/data/datasetFromText';
export { DEFAULT_FINETUNE_POLICY, resolvePolicy } from '../../engine/train/finetunePolicy';
export { LocalRecError, DeviceLostError, DeviceUnavailableError, ModelLoadError, ParseError } from '../../engine/errors';
export type { LocalRecErrorCode } from '../../engine/errors';
export type { Device, FinetunePolicy, InteractionEvent, ProgressEvent, ReadyInfo, Recommendation, Recommender, RecommendOptions } from 'localrec';
