import type { AiScaleErrorOptions, ErrorCategory } from '@ai-scale/errors';
import { RetrievalError } from './retrieval.error';

/** A vector's length differs from the store's dimensions: the embedder and the store are misconfigured (never retryable). */
export class DimensionMismatchError extends RetrievalError {
  readonly code = 'DIMENSION_MISMATCH';
  readonly category: ErrorCategory = 'SYSTEM';
  constructor(options: AiScaleErrorOptions) {
    super({ isRetryable: false, ...options });
  }
}
