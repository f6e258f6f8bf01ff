import { MemoryJobQueue } from '@ai-scale/queue';
import { type AppConfig } from '../../config';
import { queueConnection, redisTarget, type RedisTarget } from '../redis/redis-connection';
import { type QueueModuleOptions } from './queue.module-definition';

export const QUEUE_NAME = 'ai-scale';

/**
 * QUEUE_PREFIX as BullMQ's key prefix; on a Redis Cluster wrapped in a hash tag (`{ai-scale}`), since
 * BullMQ needs every key of a queue in one slot.
 */
export function queuePrefix(config: Pick<AppConfig, 'QUEUE_PREFIX'>, target: RedisTarget): string {
  return target.kind === 'cluster' ? `{${config.QUEUE_PREFIX}}` : config.QUEUE_PREFIX;
}

/** The one queue every background job of the server goes through (`ingest-document`, `chat-answer`, `agent-run`). */
export async function createQueue(config: AppConfig): Promise<QueueModuleOptions> {
  if (config.QUEUE_DRIVER === 'bullmq') {
    const { BullmqJobQueue } = await import('@ai-scale/queue/bullmq');
    const target = redisTarget(config) ?? { kind: 'server', url: '' };
    const queue = new BullmqJobQueue({
      name: QUEUE_NAME,
      redis: queueConnection(target),
      prefix: queuePrefix(config, target),
    });
    return { queue, ping: async () => void (await queue.counts()) };
  }
  const queue = new MemoryJobQueue({ name: QUEUE_NAME });
  return { queue, ping: async () => void (await queue.counts()) };
}
