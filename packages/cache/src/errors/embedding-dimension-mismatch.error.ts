import { CacheError } from './cache.error';

/** The embedder returned vectors whose length differs from the index's dimension. */
export class EmbeddingDimensionMismatchError extends CacheError {
  readonly code = 'CACHE_EMBEDDING_DIMENSION_MISMATCH';
  readonly category = 'SYSTEM' as const;

  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super({
      message: `embedding has ${actual} dimensions, the semantic cache expects ${expected}`,
      isRetryable: false,
      details: { expected, actual },
    });
  }
}
