import { Logger } from '@nestjs/common';
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

/**
 * Logs the errors the queue and its worker report about themselves (the calls that hit them fail on
 * their own), at most once per 10 s per kind: a Redis outage makes every client retry every few seconds.
 */
export function throttledLog(logger: Logger): (event: { kind: string; error: Error }) => void {
  const lastByKind = new Map<string, { at: number; suppressed: number }>();
  return ({ kind, error }) => {
    const now = Date.now();
    const last = lastByKind.get(kind);
    if (last && now - last.at < 10_000) {
      last.suppressed++;
      return;
    }
    const suppressed = last?.suppressed ? ` (${last.suppressed} more since the last report)` : '';
    lastByKind.set(kind, { at: now, suppressed: 0 });
    const line = `${kind} error: ${error.message}${suppressed}`;
    if (kind === 'loop') logger.error(line);
    else logger.warn(line);
  };
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
      onError: throttledLog(new Logger('queue')),
    });
    return { queue, ping: async () => void (await queue.counts()) };
  }
  const queue = new MemoryJobQueue({ name: QUEUE_NAME });
  return { queue, ping: async () => void (await queue.counts()) };
}
