import { QueueError } from './queue.error';

/** No job (or no dead-lettered job, for `retryDeadLetter`) has this id. */
export class JobNotFoundError extends QueueError {
  readonly code = 'JOB_NOT_FOUND';
  readonly category = 'USER' as const;

  constructor(
    readonly jobId: string,
    message = `job ${jobId} not found`,
  ) {
    super({ message, details: { jobId } });
  }
}
