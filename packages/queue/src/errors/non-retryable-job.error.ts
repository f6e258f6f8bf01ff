import { QueueError } from './queue.error';

/**
 * Thrown by a handler to fail its job at once: remaining attempts are skipped and the job is
 * dead-lettered. Any `AiScaleError` whose `isRetryable` is false has the same effect.
 */
export class NonRetryableJobError extends QueueError {
  readonly code = 'JOB_NON_RETRYABLE';
  readonly category = 'USER' as const;

  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super({ message, cause: options.cause, isRetryable: false, details: options.details });
  }
}
