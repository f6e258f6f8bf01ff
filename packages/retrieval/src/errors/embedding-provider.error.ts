import type { AiScaleErrorOptions, ErrorCategory } from '@ai-scale/errors';
import { RetrievalError } from './retrieval.error';

/** The embedding provider failed or answered something invalid; retryable unless it rejected the request (4xx other than 408/429). */
export class EmbeddingProviderError extends RetrievalError {
  readonly code = 'EMBEDDING_PROVIDER_FAILED';
  readonly category: ErrorCategory = 'THIRD_PARTY';
  constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
