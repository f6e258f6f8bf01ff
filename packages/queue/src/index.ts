export * from './ports';
export {
  QueueError,
  QueueUnavailableError,
  JobNotFoundError,
  InvalidJobOptionsError,
  NonRetryableJobError,
  JobTimeoutError,
} from './errors';
