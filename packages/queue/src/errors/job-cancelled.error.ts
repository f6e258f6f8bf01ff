import { QueueError } from './queue.error';

/**
 * The reason of a handler's `signal` when its job is cancelled (`signal.reason`): a handler that
 * rethrows it, or ignores the abort, ends the job as `cancelled`, never retried.
 */
export class JobCancelledError extends QueueError {
  readonly code = 'JOB_CANCELLED';
  readonly category = 'USER' as const;

  constructor(readonly jobId: string) {
    super({ message: `job ${jobId} was cancelled`, isRetryable: false, details: { jobId } });
  }
}
