import { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from '@ai-scale/errors';

/** The base of every `@ai-scale/telemetry` error: catch this to handle any telemetry failure. */
export abstract class TelemetryError extends AiScaleError {
  abstract override readonly code: string;
  abstract override readonly category: ErrorCategory;

  protected constructor(options: AiScaleErrorOptions) {
    super(options);
  }
}
