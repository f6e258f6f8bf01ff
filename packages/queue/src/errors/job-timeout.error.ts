import { QueueError } from './queue.error';

/** An attempt ran longer than the job's `timeoutMs`: its signal was aborted and the attempt failed (retryable). */
export class JobTimeoutError extends QueueError {
  readonly code = 'JOB_TIMEOUT';
  readonly category = 'SYSTEM' as const;

  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
  ) {
    super({ message: `job ${jobId} timed out after ${timeoutMs} ms`, details: { jobId, timeoutMs } });
  }
}
