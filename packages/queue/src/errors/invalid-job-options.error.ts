import { QueueError } from './queue.error';

/** `enqueue` was given bad options, a payload that is not JSON, or a job name with no handler. */
export class InvalidJobOptionsError extends QueueError {
  readonly code = 'INVALID_JOB_OPTIONS';
  readonly category = 'USER' as const;

  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    cause?: unknown,
  ) {
    super({ message, cause, details: issues.length > 0 ? { issues } : {} });
  }
}
