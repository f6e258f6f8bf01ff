import { QueueError } from './queue.error';

/** The queue's backing store (Redis) cannot be reached or the queue is closed. Retryable. */
export class QueueUnavailableError extends QueueError {
  readonly code = 'QUEUE_UNAVAILABLE';
  readonly category = 'SYSTEM' as const;

  constructor(message: string, options: { cause?: unknown; queue?: string } = {}) {
    super({ message, cause: options.cause, details: options.queue ? { queue: options.queue } : {} });
  }
}
