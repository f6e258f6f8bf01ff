import {
  describeWithRedis,
  describeWithRedisCluster,
  redisUrl,
  startRedisCluster,
  uniqueName,
  type RedisCluster,
} from '@ai-scale/testkit';
import { Cluster, Redis } from 'ioredis';
import { keyValueCacheContract } from '../../testing';
import { deleteRedisKeysByPrefix } from './delete-keys-by-prefix';
import { RedisKeyValueCache } from './redis-key-value-cache';

// The machine is shared: cluster start-up and cross-process waits get room, the assertions stay exact.
jest.setTimeout(30_000);

const filePrefix = `${uniqueName('cache_kv')}:`;
let instance = 0;
const prefixes = new WeakMap<object, string>();

function openCache(
  prefix: string,
  options: ConstructorParameters<typeof RedisKeyValueCache>[0],
): RedisKeyValueCache {
  const cache = new RedisKeyValueCache({
    ...options,
    url: redisUrl(),
    keyPrefix: prefix,
    computeLock: { ttlMs: 5000, pollMs: 5 },
  });
  prefixes.set(cache, prefix);
  return cache;
}

describeWithRedis('RedisKeyValueCache', () => {
  const admin = new Redis(redisUrl(), { lazyConnect: true });
  afterAll(() => admin.quit());

  afterAll(() => deleteRedisKeysByPrefix(redisUrl(), filePrefix));

  it('keeps every key of a namespace in one hash tag, and clears it without SCAN', async () => {
    const prefix = `${filePrefix}layout:`;
    const cache = openCache(prefix, {});
    try {
      await cache.set('t', 'a', 1);
      await cache.set('t', 'b', 2);
      await cache.increment('t', 'generation');
      const keys = (await admin.keys(`*${prefix}*`)).sort();
      expect(keys).toEqual([`{${prefix}t}|c`, `{${prefix}t}|i`, `{${prefix}t}|k|a`, `{${prefix}t}|k|b`]);
      // The index lives as long as its longest-lived entry: nothing this cache writes is forever.
      expect(await admin.pttl(`{${prefix}t}|i`)).toBeGreaterThan(0);
      expect(await cache.clearNamespace('t')).toBe(3);
      expect(await admin.keys(`*${prefix}*`)).toEqual([]);
    } finally {
      await cache.close();
    }
  });

  // First, so that ioredis's reconnect timers of the refused connection are long gone when the file ends.
  it('fails with CacheUnavailableError when Redis does not answer, and getOrCompute still computes', async () => {
    // Port 1 on loopback refuses connections.
    const cache = new RedisKeyValueCache({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 200 });
    try {
      await expect(cache.get('ns', 'k')).rejects.toMatchObject({
        code: 'CACHE_UNAVAILABLE',
        isRetryable: true,
      });
      await expect(cache.getOrCompute('ns', 'k', async () => 'computed')).resolves.toBe('computed');
    } finally {
      await cache.close();
    }
  });

  keyValueCacheContract(
    { describe, it, afterEach },
    {
      // The contract's maxEntries/maxBytes do not apply: Redis is bounded by maxmemory and TTLs.
      create: async ({ now, defaultTtlMs, maxValueBytes }) =>
        openCache(`${filePrefix}${instance++}:`, { now, defaultTtlMs, maxValueBytes }),
      createSibling: async (cache, { now }) => openCache(prefixes.get(cache) as string, { now }),
    },
    { lruEviction: false, crossInstanceSingleFlight: true },
  );

  it('gives every entry a Redis TTL, so nothing it writes lives forever', async () => {
    const prefix = `${filePrefix}ttl:`;
    const cache = openCache(prefix, { maxRetentionMs: 60_000 });
    try {
      await cache.set('ns', 'forever', 1);
      await cache.set('ns', 'short', 1, { ttlMs: 1000, staleWhileRevalidateMs: 500 });
      const forever = await admin.pttl(`{${prefix}ns}|k|forever`);
      const short = await admin.pttl(`{${prefix}ns}|k|short`);
      expect(forever).toBeGreaterThan(50_000);
      expect(forever).toBeLessThanOrEqual(60_000);
      expect(short).toBeGreaterThan(0);
      expect(short).toBeLessThanOrEqual(1500);
    } finally {
      await cache.close();
    }
  });

  it('reads a foreign or corrupted value under its key as a miss', async () => {
    const prefix = `${filePrefix}foreign:`;
    const cache = openCache(prefix, {});
    try {
      await admin.set(`{${prefix}ns}|k|garbage`, 'not json', 'PX', 60_000);
      await admin.set(`{${prefix}ns}|k|shape`, '{"hello":"world"}', 'PX', 60_000);
      expect(await cache.get('ns', 'garbage')).toBeUndefined();
      expect(await cache.getMany('ns', ['garbage', 'shape'])).toEqual([undefined, undefined]);
      expect(await cache.getOrCompute('ns', 'shape', async () => 'computed')).toBe('computed');
      expect(await cache.get('ns', 'shape')).toBe('computed');
    } finally {
      await cache.close();
    }
  });

  it('rejects a bad key prefix or URL with a typed error', () => {
    expect(() => new RedisKeyValueCache({ keyPrefix: 'has*glob' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CACHE_KEY' }),
    );
    expect(() => new RedisKeyValueCache({ url: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CACHE_OPTIONS' }),
    );
  });
});

describeWithRedisCluster('RedisKeyValueCache on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let clusterInstance = 0;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  const openClusterCache = (
    prefix: string,
    options: ConstructorParameters<typeof RedisKeyValueCache>[0],
  ): RedisKeyValueCache => {
    const cache = new RedisKeyValueCache({
      ...options,
      cluster: { nodes: cluster.nodes },
      keyPrefix: prefix,
      computeLock: { ttlMs: 5000, pollMs: 5 },
    });
    prefixes.set(cache, prefix);
    return cache;
  };

  keyValueCacheContract(
    { describe, it, afterEach },
    {
      create: async ({ now, defaultTtlMs, maxValueBytes }) =>
        openClusterCache(`kv${clusterInstance++}:`, { now, defaultTtlMs, maxValueBytes }),
      createSibling: async (cache, { now }) => openClusterCache(prefixes.get(cache) as string, { now }),
    },
    { lruEviction: false, crossInstanceSingleFlight: true },
  );

  it('spreads namespaces over the masters and clears each on its own node (redis+cluster:// URL)', async () => {
    const cache = new RedisKeyValueCache({ url: cluster.url, keyPrefix: 'spread:' });
    const admin = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
    try {
      const namespaces = Array.from({ length: 30 }, (_, index) => `tenant-${index}`);
      for (const namespace of namespaces) {
        await cache.set(namespace, 'answer', namespace);
        await cache.increment(namespace, 'generation');
      }
      const slots = await Promise.all(
        namespaces.map((namespace) => admin.cluster('KEYSLOT', `{spread:${namespace}}|k|answer`)),
      );
      const slotRanges = (await admin.cluster('SLOTS')) as unknown as Array<
        [number, number, [string, number]]
      >;
      const owners = new Set(
        slots.map((slot) => slotRanges.find(([from, to]) => slot >= from && slot <= to)?.[2][1]),
      );
      expect(owners.size).toBeGreaterThanOrEqual(2);
      for (const namespace of namespaces) expect(await cache.clearNamespace(namespace)).toBe(2);
      for (const namespace of namespaces) {
        expect(await cache.get(namespace, 'answer')).toBeUndefined();
        expect(await cache.getCounters(namespace, ['generation'])).toEqual([0]);
      }
    } finally {
      await cache.close();
      admin.disconnect();
    }
  });
});
