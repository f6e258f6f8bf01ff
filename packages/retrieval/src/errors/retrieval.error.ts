import { AiScaleError, type AiScaleErrorOptions } from '@ai-scale/errors';

/** The base of every error `@ai-scale/retrieval` throws; extends `AiScaleError` (stable `code`, `category`). */
export abstract class RetrievalError extends AiScaleError {
  protected constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
