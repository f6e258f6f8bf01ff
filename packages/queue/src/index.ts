export * from './ports';
export {
  QueueError,
  QueueUnavailableError,
  JobNotFoundError,
  InvalidJobOptionsError,
  NonRetryableJobError,
  JobTimeoutError,
  InvalidQueueOptionsError,
  JobAlreadyFinishedError,
  JobCancelledError,
} from './errors';
export { MemoryJobQueue, MemoryJobWorker, type MemoryJobQueueOptions } from './adapters/memory';
