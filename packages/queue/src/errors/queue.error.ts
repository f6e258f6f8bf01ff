import { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from '@ai-scale/errors';

/** The base of every `@ai-scale/queue` error: catch this to handle any queue failure. */
export abstract class QueueError extends AiScaleError {
  abstract override readonly code: string;
  abstract override readonly category: ErrorCategory;

  protected constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
