import { QueueError } from './queue.error';

/** A queue adapter was constructed with options it cannot work with (say, a Cluster prefix without a hash tag). */
export class InvalidQueueOptionsError extends QueueError {
  readonly code = 'INVALID_QUEUE_OPTIONS';
  readonly category = 'SYSTEM' as const;

  constructor(message: string) {
    super({ message });
  }
}
