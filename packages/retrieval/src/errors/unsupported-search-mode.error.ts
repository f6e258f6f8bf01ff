import type { AiScaleErrorOptions, ErrorCategory } from '@ai-scale/errors';
import { RetrievalError } from './retrieval.error';

/** The vector store cannot serve the requested search mode (e.g. keyword search on Pinecone). */
export class UnsupportedSearchModeError extends RetrievalError {
  readonly code = 'UNSUPPORTED_SEARCH_MODE';
  readonly category: ErrorCategory = 'USER';
  constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
