import {
  type CacheEmbedder,
  type KeyValueCache,
  MemoryKeyValueCache,
  MemoryVectorIndex,
  ResponseCache,
  VectorSemanticCache,
  type VectorIndex,
} from '@ai-scale/cache';
import { type RedisTargetOptions } from '@ai-scale/cache/redis';
import { type AppConfig } from '../../config';
import { redisTarget } from '../redis/redis-connection';
import { type CacheModuleOptions } from './cache.module-definition';
import { createSemanticCacheConfig } from './semantic-cache-config';

/**
 * The key-value cache (memory or Redis) and the LLM answer cache on top of it: exact answers in the
 * key-value store; semantic hits ("same meaning, other words") over a vector index of the questions.
 * With `CACHE_DRIVER=redis` everything is shared by the replicas, on one Redis or a Redis Cluster
 * (`REDIS_URL` / `REDIS_CLUSTER_NODES`): exact answers and invalidation counters in
 * `RedisKeyValueCache`, the semantic index in `RedisVectorIndex` (durable in Redis, mirrored by every
 * replica from a change stream), so a question answered by one API process is a semantic hit on the
 * others within milliseconds, and an invalidation on any of them holds for all. With
 * `CACHE_DRIVER=memory` both live in this process.
 */
export async function createCache(
  config: AppConfig,
  /** The retrieval embedder: the answer cache uses it only with CACHE_SEMANTIC_EMBEDDER=embeddings. */
  embedder: CacheEmbedder,
): Promise<CacheModuleOptions> {
  let keyValue: KeyValueCache;
  const redis = config.CACHE_DRIVER === 'redis' ? cacheRedisTarget(config) : undefined;
  if (redis !== undefined) {
    const { RedisKeyValueCache } = await import('@ai-scale/cache/redis');
    keyValue = new RedisKeyValueCache({ ...redis, keyPrefix: `${config.CACHE_PREFIX}:` });
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
    index: await createVectorIndex(redis, config, semanticConfig.embedder.dimensions, ttlMs),
    defaultTtlMs: ttlMs,
  });
  return {
    keyValue,
    responses: new ResponseCache({ store: keyValue, semantic, semanticByDefault: true, defaultTtlMs: ttlMs }),
    ping: async () => void (await keyValue.get('health', 'ping')),
    close: () => semantic.close(),
  };
}

/** The server's Redis (one server or a cluster) as the cache adapters' connection options. */
function cacheRedisTarget(config: AppConfig): RedisTargetOptions | undefined {
  const target = redisTarget(config);
  if (target === undefined) return undefined;
  if (target.kind === 'server') return { url: target.url };
  return {
    cluster: {
      nodes: target.nodes,
      ...(target.username === undefined ? {} : { username: target.username }),
      ...(target.password === undefined ? {} : { password: target.password }),
      tls: target.tls,
    },
  };
}

/** The semantic index: shared by every replica on Redis, or this process's own. */
async function createVectorIndex(
  redis: RedisTargetOptions | undefined,
  config: AppConfig,
  dimensions: number,
  ttlMs: number,
): Promise<VectorIndex> {
  if (redis === undefined) return new MemoryVectorIndex({ dimensions });
  const { RedisVectorIndex } = await import('@ai-scale/cache/redis');
  return new RedisVectorIndex({
    ...redis,
    keyPrefix: `${config.CACHE_PREFIX}-vi:`,
    dimensions,
    entryTtlMs: ttlMs,
  });
}
