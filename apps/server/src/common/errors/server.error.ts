import { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from '@ai-scale/errors';

/** The base of the errors the server itself raises (authentication, validation, missing resources). */
export abstract class ServerError extends AiScaleError {
  protected constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}

export type { ErrorCategory };
