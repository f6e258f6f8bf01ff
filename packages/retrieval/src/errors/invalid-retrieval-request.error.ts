import type { AiScaleErrorOptions, ErrorCategory } from '@ai-scale/errors';
import { RetrievalError } from './retrieval.error';

/** A request is malformed: an empty tenant id, a negative topK, a query that is not a string… */
export class InvalidRetrievalRequestError extends RetrievalError {
  readonly code = 'INVALID_RETRIEVAL_REQUEST';
  readonly category: ErrorCategory = 'USER';
  constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
