import { type CacheEmbedder, QuestionEmbedder, QUESTION_EMBEDDER_THRESHOLD } from '@ai-scale/cache';
import { type AppConfig } from '../../config';

/**
 * The threshold calibrated for the retrieval package's `LocalEmbedder` at its server default (256
 * dimensions) with the key-term guard on, on the tuning pairs only (bench/datasets/cache-pairs/
 * pairs.jsonl, `calibrateThreshold`). Used when `CACHE_SEMANTIC_EMBEDDER=embeddings` and
 * `EMBEDDINGS=local` and `CACHE_SEMANTIC_THRESHOLD` is unset; a test recomputes it.
 */
export const LOCAL_EMBEDDER_CACHE_THRESHOLD = 0.81;

/** Everything that decides which questions share an answer, apart from the vector index. */
export interface SemanticCacheConfig {
  /** `question` (the cache's own representation) or `embeddings` (the EMBEDDINGS embedder). */
  readonly representation: AppConfig['CACHE_SEMANTIC_EMBEDDER'];
  readonly embedder: CacheEmbedder;
  readonly threshold: number;
  readonly keyTermGuard: true;
  /** Where the threshold came from, for the boot log and the bench. */
  readonly thresholdSource: 'CACHE_SEMANTIC_THRESHOLD' | 'calibrated default';
}

/**
 * The answer cache's embedder, threshold and guard, from the configuration: the ONE place that
 * decides them, called by the server (`createCache`), the bench (`npm run bench -- cache`) and the
 * tests, so that what is measured is what is deployed. The vector index is chosen apart
 * (`createCache`), so a shared index changes where vectors live, never which questions match.
 *
 * `retrievalEmbedder` is the embedder of the retrieval module (EMBEDDINGS); it is used only with
 * `CACHE_SEMANTIC_EMBEDDER=embeddings`. With `EMBEDDINGS=openai-compatible` that needs an explicit
 * `CACHE_SEMANTIC_THRESHOLD` (the config schema refuses to boot without one): measure it with
 * `npm run bench -- cache-calibrate` against the same model (docs/benchmarks.md).
 */
export function createSemanticCacheConfig(
  config: AppConfig,
  retrievalEmbedder: CacheEmbedder,
): SemanticCacheConfig {
  if (config.CACHE_SEMANTIC_EMBEDDER === 'question') {
    return {
      representation: 'question',
      embedder: new QuestionEmbedder(),
      threshold: config.CACHE_SEMANTIC_THRESHOLD ?? QUESTION_EMBEDDER_THRESHOLD,
      keyTermGuard: true,
      thresholdSource:
        config.CACHE_SEMANTIC_THRESHOLD === undefined ? 'calibrated default' : 'CACHE_SEMANTIC_THRESHOLD',
    };
  }
  const threshold =
    config.CACHE_SEMANTIC_THRESHOLD ??
    (config.EMBEDDINGS === 'local' && config.EMBEDDINGS_DIMENSIONS === 256
      ? LOCAL_EMBEDDER_CACHE_THRESHOLD
      : undefined);
  if (threshold === undefined) {
    // The schema already refuses this combination; kept so a config built by hand cannot slip by.
    throw new Error(
      'CACHE_SEMANTIC_THRESHOLD is required with CACHE_SEMANTIC_EMBEDDER=embeddings unless EMBEDDINGS=local at 256 dimensions',
    );
  }
  return {
    representation: 'embeddings',
    embedder: retrievalEmbedder,
    threshold,
    keyTermGuard: true,
    thresholdSource:
      config.CACHE_SEMANTIC_THRESHOLD === undefined ? 'calibrated default' : 'CACHE_SEMANTIC_THRESHOLD',
  };
}
