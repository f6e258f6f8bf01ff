import type { AiScaleErrorOptions, ErrorCategory } from '@ai-scale/errors';
import { RetrievalError } from './retrieval.error';

/** A metadata filter is malformed, names an unknown operator or a field the store cannot filter on. */
export class InvalidFilterError extends RetrievalError {
  readonly code = 'INVALID_FILTER';
  readonly category: ErrorCategory = 'USER';
  constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
