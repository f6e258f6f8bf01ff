import type { AiScaleErrorOptions, ErrorCategory } from '@ai-scale/errors';
import { RetrievalError } from './retrieval.error';

/** The reranking provider failed or answered something invalid. */
export class RerankerProviderError extends RetrievalError {
  readonly code = 'RERANKER_PROVIDER_FAILED';
  readonly category: ErrorCategory = 'THIRD_PARTY';
  constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
