import { MemoryJobQueue } from '@ai-scale/queue';
import { type AppConfig } from '../../config';
import { type QueueModuleOptions } from './queue.module-definition';

/** The one queue every background job of the server goes through (`ingest-document`, `chat-answer`, `agent-run`). */
export async function createQueue(config: AppConfig): Promise<QueueModuleOptions> {
  if (config.QUEUE_DRIVER === 'bullmq') {
    // TODO(queue): BullmqJobQueue from '@ai-scale/queue/bullmq' with REDIS_URL and QUEUE_PREFIX once published.
    throw new Error('QUEUE_DRIVER=bullmq is not available in this build of @ai-scale/queue yet');
  }
  const queue = new MemoryJobQueue({ name: 'ai-scale' });
  return { queue, ping: async () => void (await queue.counts()) };
}
