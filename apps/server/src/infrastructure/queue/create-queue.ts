import { MemoryJobQueue } from '@ai-scale/queue';
import { type AppConfig } from '../../config';
import { type QueueModuleOptions } from './queue.module-definition';

/** The one queue every background job of the server goes through (`ingest-document`, `chat-answer`, `agent-run`). */
export async function createQueue(config: AppConfig): Promise<QueueModuleOptions> {
  if (config.QUEUE_DRIVER === 'bullmq') {
    const { BullmqJobQueue } = await import('@ai-scale/queue/bullmq');
    const queue = new BullmqJobQueue({
      name: 'ai-scale',
      redisUrl: config.REDIS_URL ?? '',
      prefix: config.QUEUE_PREFIX,
    });
    return { queue, ping: async () => void (await queue.counts()) };
  }
  const queue = new MemoryJobQueue({ name: 'ai-scale' });
  return { queue, ping: async () => void (await queue.counts()) };
}
