import { QueueError } from './queue.error';

/** `cancel` was asked for a job that already completed or failed for good: there is nothing to stop. */
export class JobAlreadyFinishedError extends QueueError {
  readonly code = 'JOB_ALREADY_FINISHED';
  readonly category = 'USER' as const;

  constructor(
    readonly jobId: string,
    readonly state: 'completed' | 'failed',
  ) {
    super({ message: `job ${jobId} already ${state}: it cannot be cancelled`, details: { jobId, state } });
  }
}
