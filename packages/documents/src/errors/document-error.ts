import { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from '@ai-scale/errors';

/** Base of every error of `@ai-scale/documents`. */
export abstract class DocumentError extends AiScaleError {
  protected constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}

/** A problem with the file the caller sent: never retried, shown to the caller as a 4xx. */
export abstract class DocumentInputError extends DocumentError {
  readonly category: ErrorCategory = 'USER';
}
