import {
  type CacheEmbedder,
  type KeyValueCache,
  MemoryKeyValueCache,
  MemoryVectorIndex,
  ResponseCache,
  VectorSemanticCache,
} from '@ai-scale/cache';
import { type AppConfig } from '../../config';
import { type CacheModuleOptions } from './cache.module-definition';
import { createSemanticCacheConfig } from './semantic-cache-config';

/**
 * The key-value cache (memory or Redis) and the LLM answer cache on top of it: exact answers in the
 * key-value store; semantic hits ("same meaning, other words") over an in-process vector index of
 * the questions. The semantic layer is per process: with several replicas each one learns its own
 * paraphrases, while exact answers and every invalidation are shared through Redis.
 */
export async function createCache(
  config: AppConfig,
  /** The retrieval embedder: the answer cache uses it only with CACHE_SEMANTIC_EMBEDDER=embeddings. */
  embedder: CacheEmbedder,
): Promise<CacheModuleOptions> {
  let keyValue: KeyValueCache;
  if (config.CACHE_DRIVER === 'redis') {
    const { RedisKeyValueCache } = await import('@ai-scale/cache/redis');
    keyValue = new RedisKeyValueCache({ url: config.REDIS_URL, keyPrefix: `${config.CACHE_PREFIX}:` });
  } else {
    keyValue = new MemoryKeyValueCache({ maxEntries: 50_000 });
  }
  const ttlMs = config.CACHE_TTL_SECONDS * 1000;
  // Which questions share an answer (embedder, threshold, guard) is decided in one place, the same
  // the bench and the tests evaluate; the index only decides where the vectors live.
  const semanticConfig = createSemanticCacheConfig(config, embedder);
  const semantic = new VectorSemanticCache({
    embedder: semanticConfig.embedder,
    threshold: semanticConfig.threshold,
    keyTermGuard: semanticConfig.keyTermGuard,
    index: new MemoryVectorIndex({ dimensions: semanticConfig.embedder.dimensions }),
    defaultTtlMs: ttlMs,
  });
  return {
    keyValue,
    responses: new ResponseCache({ store: keyValue, semantic, semanticByDefault: true, defaultTtlMs: ttlMs }),
    ping: async () => void (await keyValue.get('health', 'ping')),
  };
}
