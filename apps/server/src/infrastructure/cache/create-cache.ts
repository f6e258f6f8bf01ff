import { type KeyValueCache, MemoryKeyValueCache } from '@ai-scale/cache';
import { type AppConfig } from '../../config';
import { type CacheModuleOptions } from './cache.module-definition';
import { ExactAnswerCache } from './exact-answer-cache';

export async function createCache(config: AppConfig): Promise<CacheModuleOptions> {
  let keyValue: KeyValueCache;
  if (config.CACHE_DRIVER === 'redis') {
    const { RedisKeyValueCache } = await import('@ai-scale/cache/redis');
    keyValue = new RedisKeyValueCache({ url: config.REDIS_URL, keyPrefix: `${config.CACHE_PREFIX}:` });
  } else {
    keyValue = new MemoryKeyValueCache({ maxEntries: 50_000 });
  }
  return {
    keyValue,
    responses: new ExactAnswerCache(keyValue, config.CACHE_TTL_SECONDS * 1000),
    ping: async () => void (await keyValue.get('health', 'ping')),
  };
}
