import { LocalRecError } from '../errors';

/** Architecture hyper-parameters of a SASRec-family model. Stored as `config.json` beside the weights. */
export interface SasRecConfig {
  /** Items are numbered 1..numItems; 0 is padding. */
  numItems: number;
  /** Longest history the model attends to (older items are dropped). */
  maxLen: number;
  dim: number;
  blocks: number;
  heads: number;
  /** Hidden width of the position-wise feed-forward layer. */
  ffnDim: number;
  dropout: number;
  /**
   * Number of content features (genres, year bins, hashed title words...). 0 disables the content
   * tower; otherwise each item's vector is its ID embedding plus a projection of its features, so
   * items never seen in training still get a vector.
   */
  numFeatures: number;
  /** Probability of hiding an item's ID embedding during training (teaches content-only vectors). */
  idDropout: number;
  /**
   * Optional: initialise every embedding and dense weight from N(0, initStd) (e.g. 0.02 as in the
   * reference SASRec code). Absent: embeddings N(0, 1/sqrt(dim)), dense weights Xavier.
   */
  initStd?: number;
  /**
   * How learned positions are counted. 'fromEnd' (default, and every model trained before this
   * option existed): the newest item always sits at position maxLen-1. 'fromStart': position 0 is
   * the oldest item in the window, as in the reference SASRec code (right-padded batches), so the
   * model knows how far into a history it is. Either way callers pass left-padded sequences.
   */
  positions?: 'fromEnd' | 'fromStart';
  /**
   * Block layout. 'preLN' (default, and every model trained before this option existed): each
   * sub-layer reads LayerNorm(x) and adds its output to x. 'sasrec': as in the original SASRec
   * code — attention queries read LayerNorm(x) but keys and values read x, the attention residual
   * starts from the normalised query, and the feed-forward residual from its normalised input.
   */
  block?: 'preLN' | 'sasrec';
  /**
   * Initial spread of the query/key/value projections. 'initStd' (default): like every other
   * weight. 'xavier': N(0, sqrt(2 / (dim + 3 dim))), the spread of PyTorch's MultiheadAttention
   * input projection that the reference code keeps, so attention starts far from uniform. Only
   * affects a fresh model.
   */
  attentionInit?: 'initStd' | 'xavier';
}

export const DEFAULT_CONFIG: Omit<SasRecConfig, 'numItems'> = {
  maxLen: 200,
  dim: 64,
  blocks: 2,
  heads: 1,
  ffnDim: 64,
  dropout: 0.2,
  numFeatures: 0,
  idDropout: 0,
};

/** Fills defaults and rejects impossible combinations with a clear message. */
export function resolveConfig(partial: Partial<SasRecConfig> & { numItems: number }): SasRecConfig {
  const cfg: SasRecConfig = { ...DEFAULT_CONFIG, ...partial };
  const positiveInts = ['numItems', 'maxLen', 'dim', 'blocks', 'heads', 'ffnDim'] as const;
  for (const key of positiveInts) {
    const v = cfg[key];
    if (v === undefined || !Number.isInteger(v) || v <= 0) {
      throw new LocalRecError('INVALID_INPUT', `Model config "${key}" must be a positive integer, got ${String(v)}. Fix config.json.`);
    }
  }
  if (!Number.isInteger(cfg.numFeatures) || cfg.numFeatures < 0) {
    throw new LocalRecError('INVALID_INPUT', `Model config "numFeatures" must be an integer >= 0, got ${String(cfg.numFeatures)}.`);
  }
  if (cfg.dim % cfg.heads !== 0) {
    throw new LocalRecError('INVALID_INPUT', `Model config: dim (${cfg.dim}) must be divisible by heads (${cfg.heads}).`);
  }
  if (cfg.initStd !== undefined && !(cfg.initStd > 0 && cfg.initStd < 1)) {
    throw new LocalRecError('INVALID_INPUT', `Model config "initStd" must be in (0, 1), got ${String(cfg.initStd)}.`);
  }
  if (cfg.positions !== undefined && cfg.positions !== 'fromEnd' && cfg.positions !== 'fromStart') {
    throw new LocalRecError('INVALID_INPUT', `Model config "positions" must be "fromEnd" or "fromStart", got ${JSON.stringify(cfg.positions)}. Fix config.json.`);
  }
  if (cfg.block !== undefined && cfg.block !== 'preLN' && cfg.block !== 'sasrec') {
    throw new LocalRecError('INVALID_INPUT', `Model config "block" must be "preLN" or "sasrec", got ${JSON.stringify(cfg.block)}. Fix config.json.`);
  }
  if (cfg.attentionInit !== undefined && cfg.attentionInit !== 'initStd' && cfg.attentionInit !== 'xavier') {
    throw new LocalRecError('INVALID_INPUT', `Model config "attentionInit" must be "initStd" or "xavier", got ${JSON.stringify(cfg.attentionInit)}. Fix config.json.`);
  }
  for (const key of ['dropout', 'idDropout'] as const) {
    if (!(cfg[key] >= 0 && cfg[key] < 1)) {
      throw new LocalRecError('INVALID_INPUT', `Model config "${key}" must be in [0, 1), got ${String(cfg[key])}.`);
    }
  }
  return cfg;
}
