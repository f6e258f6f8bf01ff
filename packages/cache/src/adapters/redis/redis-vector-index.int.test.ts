import {
  describeWithRedis,
  describeWithRedisCluster,
  redisUrl,
  startRedisCluster,
  uniqueName,
  type RedisCluster,
} from '@ai-scale/testkit';
import { Redis } from 'ioredis';
import { eventually, vectorIndexContract } from '../../testing';
import { deleteRedisKeysByPrefix } from './delete-keys-by-prefix';
import { RedisVectorIndex, type RedisVectorIndexOptions } from './redis-vector-index';

// The machine is shared: cluster start-up and cross-process waits get room, the assertions stay exact.
jest.setTimeout(30_000);

const filePrefix = `${uniqueName('cache_vi')}:`;
let instance = 0;
const prefixes = new WeakMap<object, string>();

function openIndex(prefix: string, options: Omit<RedisVectorIndexOptions, 'keyPrefix'>): RedisVectorIndex {
  const index = new RedisVectorIndex({ ...options, keyPrefix: prefix });
  prefixes.set(index, prefix);
  return index;
}

describeWithRedis('RedisVectorIndex (single Redis)', () => {
  afterAll(() => deleteRedisKeysByPrefix(redisUrl(), `{${filePrefix}`));

  vectorIndexContract(
    { describe, it, afterEach },
    async (dimensions) => openIndex(`${filePrefix}${instance++}:`, { url: redisUrl(), dimensions }),
    {
      createSibling: async (index, dimensions) =>
        openIndex(prefixes.get(index) as string, { url: redisUrl(), dimensions }),
    },
  );

  it('never mixes partitions whose names collide in the key hash', async () => {
    const prefix = `${filePrefix}collide:`;
    const collide = (): string => 'same';
    const first = openIndex(prefix, { url: redisUrl(), dimensions: 3, hashPartition: collide });
    const second = openIndex(prefix, { url: redisUrl(), dimensions: 3, hashPartition: collide });
    try {
      await first.upsert('tenant-a/p', [{ id: 'same', vector: [1, 0, 0], payload: 'A' }]);
      await first.upsert('tenant-b/p', [{ id: 'other', vector: [1, 0, 0], payload: 'B' }]);
      for (const index of [first, second]) {
        expect((await index.query('tenant-a/p', [1, 0, 0], 10)).map((match) => match.payload)).toEqual(['A']);
        expect((await index.query('tenant-b/p', [1, 0, 0], 10)).map((match) => match.payload)).toEqual(['B']);
      }
      // The same id in the other partition (same Redis key!) overwrites nothing of this one.
      await first.upsert('tenant-b/p', [{ id: 'same', vector: [1, 0, 0], payload: 'B2' }]);
      await eventually(async () => (await second.query('tenant-b/p', [1, 0, 0], 10)).length === 2);
      const fresh = openIndex(prefix, { url: redisUrl(), dimensions: 3, hashPartition: collide });
      try {
        expect((await fresh.query('tenant-a/p', [1, 0, 0], 10)).map((match) => match.payload)).toEqual(['A']);
        expect((await fresh.query('tenant-b/p', [1, 0, 0], 10)).map((match) => match.payload).sort()).toEqual(
          ['B', 'B2'],
        );
      } finally {
        await fresh.close();
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('expires items after entryTtlMs, in Redis (key TTL) and in every mirror', async () => {
    const prefix = `${filePrefix}ttl:`;
    let now = Date.now();
    const clock = (): number => now;
    const admin = new Redis(redisUrl());
    const first = openIndex(prefix, { url: redisUrl(), dimensions: 3, entryTtlMs: 60_000, now: clock });
    const second = openIndex(prefix, { url: redisUrl(), dimensions: 3, entryTtlMs: 60_000, now: clock });
    try {
      await first.upsert('p', [{ id: 'old', vector: [1, 0, 0], payload: 1 }]);
      expect((await second.query('p', [1, 0, 0], 5)).length).toBe(1);
      const keys = await admin.keys(`{${prefix}p:*`);
      expect(keys).toHaveLength(2);
      for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(50_000);
      now += 61_000;
      expect(await second.query('p', [1, 0, 0], 5)).toEqual([]);
      // The next write drops the expired item from Redis too.
      await first.upsert('p', [{ id: 'new', vector: [0, 1, 0], payload: 2 }]);
      expect(await admin.hkeys(keys.find((key) => key.endsWith(':e')) as string)).toEqual(['1:pnew']);
      await eventually(async () => (await second.query('p', [0, 1, 0], 5)).length === 1);
    } finally {
      await Promise.all([first.close(), second.close(), admin.quit()]);
    }
  });

  it('caps a partition at maxItemsPerPartition, dropping the earliest deadlines', async () => {
    const prefix = `${filePrefix}cap:`;
    let now = Date.now();
    const index = openIndex(prefix, {
      url: redisUrl(),
      dimensions: 3,
      maxItemsPerPartition: 3,
      now: () => now,
    });
    try {
      for (let item = 0; item < 5; item++) {
        now += 1;
        await index.upsert('p', [{ id: `i${item}`, vector: [1, item, 0], payload: item }]);
      }
      const fresh = openIndex(prefix, { url: redisUrl(), dimensions: 3, now: () => now });
      try {
        expect((await fresh.query('p', [1, 0, 0], 10)).map((match) => match.id).sort()).toEqual([
          'i2',
          'i3',
          'i4',
        ]);
      } finally {
        await fresh.close();
      }
    } finally {
      await index.close();
    }
  });

  it('answers from its mirror and fails writes with CacheUnavailableError when Redis is down', async () => {
    const index = new RedisVectorIndex({ url: 'redis://127.0.0.1:1', dimensions: 3, commandTimeoutMs: 200 });
    try {
      await expect(index.upsert('p', [{ id: 'a', vector: [1, 0, 0], payload: 1 }])).rejects.toMatchObject({
        code: 'CACHE_UNAVAILABLE',
      });
      await expect(index.query('p', [1, 0, 0], 1)).rejects.toMatchObject({ code: 'CACHE_UNAVAILABLE' });
    } finally {
      await index.close();
    }
  });
});

// On the cluster every partition goes through the HNSW graph (exactScanBelow 1), so the contract
// covers both search paths.
describeWithRedisCluster('RedisVectorIndex (3-master Redis Cluster, HNSW from the first item)', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  vectorIndexContract(
    { describe, it, afterEach },
    async (dimensions) => openIndex(`c${instance++}:`, { cluster: { nodes: cluster.nodes }, dimensions }),
    {
      createSibling: async (index, dimensions) =>
        openIndex(prefixes.get(index) as string, { url: cluster.url, dimensions, exactScanBelow: 1 }),
    },
  );
});
