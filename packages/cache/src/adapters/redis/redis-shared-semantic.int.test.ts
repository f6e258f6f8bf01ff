import {
  describeWithRedis,
  describeWithRedisCluster,
  redisUrl,
  startRedisCluster,
  uniqueName,
  type RedisCluster,
} from '@ai-scale/testkit';
import type { CacheableRequest, LlmResponseCache } from '../../ports/response-cache';
import { ResponseCache } from '../../response/response-cache';
import { VectorSemanticCache } from '../../semantic/vector-semantic-cache';
import { HashingEmbedder, ManualClock, eventually, llmResponseCacheContract } from '../../testing';
import { deleteRedisKeysByPrefix } from './delete-keys-by-prefix';
import { RedisKeyValueCache } from './redis-key-value-cache';
import type { RedisTargetOptions } from './redis-connection';
import { RedisVectorIndex } from './redis-vector-index';

// The machine is shared: cluster start-up and cross-process waits get room, the assertions stay exact.
jest.setTimeout(30_000);

/**
 * The answer cache as two API replicas run it: exact answers and counters in `RedisKeyValueCache`,
 * the semantic layer on the shared `RedisVectorIndex`, on single Redis and on a 3-master cluster.
 */
function sharedSemanticSuite(target: () => RedisTargetOptions, prefixOf: () => string): void {
  const closers: Array<() => Promise<void>> = [];
  const prefixes = new WeakMap<LlmResponseCache, string>();

  function replica(prefix: string, now: () => number): ResponseCache {
    const store = new RedisKeyValueCache({ ...target(), keyPrefix: `${prefix}kv:`, now });
    const index = new RedisVectorIndex({ ...target(), keyPrefix: `${prefix}vi:`, dimensions: 256, now });
    closers.push(
      () => store.close(),
      () => index.close(),
    );
    const cache = new ResponseCache({
      store,
      semantic: new VectorSemanticCache({ embedder: new HashingEmbedder(256), index, threshold: 0.75, now }),
      defaultTtlMs: 60_000,
      now,
    });
    prefixes.set(cache, prefix);
    return cache;
  }
  const closeAll = async (): Promise<void> => {
    await Promise.all(closers.splice(0).map((close) => close()));
  };

  llmResponseCacheContract(
    { describe, it, afterEach },
    {
      create: async (now) => replica(prefixOf(), now),
      createSibling: async (cache, now) => replica(prefixes.get(cache) as string, now),
      close: closeAll,
    },
    { sharedAcrossInstances: true },
  );

  describe('two replicas', () => {
    afterEach(closeAll);
    const ask = (tenantId: string, question: string, promptVersion = 'answer@1'): CacheableRequest => ({
      tenantId,
      modelRoute: 'tier:small',
      promptVersion,
      messages: [
        { role: 'system', content: 'Answer from the documentation.' },
        { role: 'user', content: question },
      ],
      temperature: 0,
    });

    it('serves on replica B a paraphrase of what replica A cached, and every invalidation reaches both', async () => {
      const clock = new ManualClock();
      const prefix = prefixOf();
      const a = replica(prefix, clock.now);
      const b = replica(prefix, clock.now);
      const paraphrase = ask('acme', 'how do i rotate my api key?');
      // B mirrors the partition before A writes: A's answer must then reach B through the stream.
      expect(await b.lookup(paraphrase)).toBeNull();
      await a.store(ask('acme', 'How do I rotate my API key'), 'console', { citedDocumentIds: ['keys'] });
      await eventually(async () => (await b.lookup(paraphrase))?.kind === 'semantic');
      expect((await b.lookup(paraphrase))?.value).toBe('console');
      // Another tenant, the same words: never.
      expect(await b.lookup(ask('acme2', 'how do i rotate my api key?'))).toBeNull();

      await b.invalidateDocument('acme', 'keys');
      expect(await a.lookup(paraphrase)).toBeNull();
      expect(await b.lookup(paraphrase)).toBeNull();

      await a.store(ask('acme', 'How do I rotate my API key'), 'console v2', { citedDocumentIds: ['keys'] });
      await eventually(async () => (await b.lookup(paraphrase))?.value === 'console v2');
      await a.invalidatePromptVersion('answer@1');
      expect(await b.lookup(paraphrase)).toBeNull();

      await b.store(ask('acme', 'How do I rotate my API key', 'answer@2'), 'v3');
      await eventually(
        async () => (await a.lookup(ask('acme', 'how do i rotate my api key?', 'answer@2')))?.value === 'v3',
      );
      await a.invalidateTenant('acme');
      expect(await b.lookup(ask('acme', 'how do i rotate my api key?', 'answer@2'))).toBeNull();
      expect(await a.lookup(ask('acme', 'how do i rotate my api key?', 'answer@2'))).toBeNull();
    });
  });
}

describeWithRedis('shared answer cache on single Redis (RedisKeyValueCache + RedisVectorIndex)', () => {
  const filePrefix = `${uniqueName('cache_shared')}:`;
  let instance = 0;
  afterAll(() => deleteRedisKeysByPrefix(redisUrl(), filePrefix));
  sharedSemanticSuite(
    () => ({ url: redisUrl() }),
    () => `${filePrefix}${instance++}:`,
  );
});

describeWithRedisCluster('shared answer cache on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let instance = 0;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());
  sharedSemanticSuite(
    () => ({ cluster: { nodes: cluster.nodes } }),
    () => `s${instance++}:`,
  );
});
