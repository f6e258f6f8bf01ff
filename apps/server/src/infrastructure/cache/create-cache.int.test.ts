import { QuestionEmbedder, type CacheableRequest } from '@ai-scale/cache';
import { deleteRedisKeysByPrefix } from '@ai-scale/cache/redis';
import {
  describeWithRedis,
  describeWithRedisCluster,
  redisUrl,
  startRedisCluster,
  uniqueName,
  waitFor,
  type RedisCluster,
} from '@ai-scale/testkit';
import { parseConfig } from '../../config';
import { type CacheModuleOptions } from './cache.module-definition';
import { createCache } from './create-cache';

const ask = (question: string): CacheableRequest => ({
  tenantId: 'acme',
  modelRoute: 'tier:small',
  promptVersion: 'answer@1',
  messages: [{ role: 'user', content: question }],
  temperature: 0,
});

/** Two API processes' answer caches as the server builds them with CACHE_DRIVER=redis. */
function twoReplicas(env: () => Record<string, string>): void {
  const opened: CacheModuleOptions[] = [];
  const replica = async (): Promise<CacheModuleOptions> => {
    const cache = await createCache(parseConfig({ CACHE_DRIVER: 'redis', ...env() }), new QuestionEmbedder());
    opened.push(cache);
    return cache;
  };
  afterEach(async () => {
    for (const cache of opened.splice(0)) {
      await cache.close?.();
      await cache.keyValue.close();
    }
  });

  it('serves on one replica a paraphrase answered on the other, and both stop after an invalidation', async () => {
    const a = await replica();
    const b = await replica();
    const paraphrase = ask('how can I rotate my API key');
    expect(await b.responses.lookup(paraphrase)).toBeNull();
    await a.responses.store(ask('How do I rotate my API key?'), 'in the console', {
      citedDocumentIds: ['keys'],
    });
    await waitFor(async () => (await b.responses.lookup(paraphrase))?.kind === 'semantic', {
      message: 'a semantic hit on replica B',
    });
    await b.responses.invalidateDocument('acme', 'keys');
    expect(await a.responses.lookup(paraphrase)).toBeNull();
    expect(await b.responses.lookup(paraphrase)).toBeNull();
  });
}

describeWithRedis('createCache with CACHE_DRIVER=redis: replicas share the answer cache', () => {
  const prefix = uniqueName('srv_cache');
  afterAll(() => deleteRedisKeysByPrefix(redisUrl(), prefix));
  twoReplicas(() => ({ REDIS_URL: redisUrl(), CACHE_PREFIX: prefix }));
});

describeWithRedisCluster(
  'createCache with CACHE_DRIVER=redis on a Redis Cluster (REDIS_CLUSTER_NODES)',
  () => {
    let cluster: RedisCluster;
    beforeAll(async () => {
      cluster = await startRedisCluster();
    }, 60_000);
    afterAll(() => cluster?.stop());
    twoReplicas(() => ({
      REDIS_CLUSTER_NODES: cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(','),
      CACHE_PREFIX: 'ai-scale',
    }));
  },
);
