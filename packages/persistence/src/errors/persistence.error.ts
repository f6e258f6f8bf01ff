import { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from '@ai-scale/errors';

/** The base of every `@ai-scale/persistence` error: catch this to handle any persistence failure. */
export abstract class PersistenceError extends AiScaleError {
  abstract override readonly code: string;
  abstract override readonly category: ErrorCategory;

  protected constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
