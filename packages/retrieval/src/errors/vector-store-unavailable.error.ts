import type { AiScaleErrorOptions, ErrorCategory } from '@ai-scale/errors';
import { RetrievalError } from './retrieval.error';

/** The vector store could not be reached or failed while serving the call. */
export class VectorStoreUnavailableError extends RetrievalError {
  readonly code = 'VECTOR_STORE_UNAVAILABLE';
  readonly category: ErrorCategory = 'SYSTEM';
  constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
