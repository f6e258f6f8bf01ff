import { AiScaleError, type AiScaleErrorOptions } from '@ai-scale/errors';

/** The base of every `@ai-scale/cache` error; catch it to handle any cache failure. */
export abstract class CacheError extends AiScaleError {
  protected constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
