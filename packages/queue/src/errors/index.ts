export { QueueError } from './queue.error';
export { QueueUnavailableError } from './queue-unavailable.error';
export { JobNotFoundError } from './job-not-found.error';
export { InvalidJobOptionsError } from './invalid-job-options.error';
export { NonRetryableJobError } from './non-retryable-job.error';
export { JobTimeoutError } from './job-timeout.error';
export { InvalidQueueOptionsError } from './invalid-queue-options.error';
