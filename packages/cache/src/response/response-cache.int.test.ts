import { describeWithRedis, redisUrl, uniqueName } from '@ai-scale/testkit';
import { MemoryVectorIndex } from '../adapters/memory/memory-vector-index';
import { deleteRedisKeysByPrefix } from '../adapters/redis/delete-keys-by-prefix';
import { RedisKeyValueCache } from '../adapters/redis/redis-key-value-cache';
import type { LlmResponseCache } from '../ports/response-cache';
import { VectorSemanticCache } from '../semantic/vector-semantic-cache';
import { HashingEmbedder, llmResponseCacheContract } from '../testing';
import { ResponseCache } from './response-cache';

const filePrefix = `${uniqueName('cache_rc')}:`;

describeWithRedis('ResponseCache over Redis', () => {
  const stores: RedisKeyValueCache[] = [];
  const prefixes = new WeakMap<LlmResponseCache, string>();
  let instance = 0;

  function create(prefix: string, now: () => number): ResponseCache {
    const store = new RedisKeyValueCache({ url: redisUrl(), keyPrefix: prefix, now });
    stores.push(store);
    const cache = new ResponseCache({
      store,
      semantic: new VectorSemanticCache({
        embedder: new HashingEmbedder(256),
        index: new MemoryVectorIndex({ dimensions: 256 }),
        threshold: 0.75,
        now,
      }),
      defaultTtlMs: 60_000,
      now,
    });
    prefixes.set(cache, prefix);
    return cache;
  }

  afterAll(() => deleteRedisKeysByPrefix(redisUrl(), filePrefix));

  llmResponseCacheContract(
    { describe, it, afterEach },
    {
      create: async (now) => create(`${filePrefix}${instance++}:`, now),
      createSibling: async (cache, now) => create(prefixes.get(cache) as string, now),
      close: async () => {
        await Promise.all(stores.splice(0).map((store) => store.close()));
      },
    },
    { sharedAcrossInstances: true },
  );
});
