import { describeWithRedisCluster, startRedisCluster, waitFor, type RedisCluster } from '@ai-scale/testkit';
import { Cluster } from 'ioredis';
import { expectRateLimitedAfterTwo, type ServerUnderTest, startServer } from './support/server-under-test';

const ADMIN_TOKEN = 'admin-token-for-redis-cluster-tests';

/**
 * The server on a real 3-master Redis Cluster (REDIS_URL=redis+cluster://…): BullMQ queue with the
 * `{QUEUE_PREFIX}` hash tag, an async chat job run by this process's worker, Bull Board reading the
 * same queue through a Cluster client, readiness probing the queue.
 */
describeWithRedisCluster('server on a Redis Cluster (QUEUE_DRIVER=bullmq)', () => {
  let cluster: RedisCluster;
  let server: ServerUnderTest;
  let apiKey: string;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    server = await startServer({
      ADMIN_TOKEN,
      QUEUE_DRIVER: 'bullmq',
      REDIS_URL: cluster.url,
      QUEUE_PREFIX: 'ai-scale-e2e',
      CACHE_DRIVER: 'redis',
      CACHE_PREFIX: 'cache-e2e',
      VECTOR_STORE: 'memory',
    });
    apiKey = (await server.request('POST', '/v1/admin/tenants', { token: ADMIN_TOKEN, body: { name: 'c' } }))
      .body.apiKey;
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    await cluster?.stop();
  }, 30_000);

  it('runs an async chat job through BullMQ on the cluster to completion', async () => {
    const created = await server.request('POST', '/v1/chat', {
      token: apiKey,
      body: { message: 'What does the cluster store?', mode: 'async' },
    });
    expect(created.status).toBe(202);
    let job: { state: string; result?: { answer?: string } } | undefined;
    await waitFor(
      async () => {
        job = (await server.request('GET', `/v1/jobs/${created.body.jobId}`, { token: apiKey })).body;
        return job?.state === 'completed' || job?.state === 'failed';
      },
      { timeoutMs: 30_000, message: 'the chat job' },
    );
    expect({ state: job?.state, error: (job as { error?: unknown } | undefined)?.error }).toEqual({
      state: 'completed',
      error: null,
    });
    expect(typeof job?.result?.answer).toBe('string');

    // Every key the queue wrote is under the hash tag, hence in one slot on one master.
    const client = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      const keysByMaster = await Promise.all(client.nodes('master').map((node) => node.keys('*')));
      const queueKeys = keysByMaster.flat().filter((key) => key.startsWith('{ai-scale-e2e}'));
      expect(queueKeys.length).toBeGreaterThan(0);
      expect(queueKeys.every((key) => key.startsWith('{ai-scale-e2e}:ai-scale:'))).toBe(true);
      expect(
        keysByMaster.filter((keys) => keys.some((key) => key.startsWith('{ai-scale-e2e}'))),
      ).toHaveLength(1);
    } finally {
      await client.quit();
    }
  }, 60_000);

  it('serves Bull Board on the cluster queue and reports the queue ready', async () => {
    const api = await server.request('GET', '/admin/queues/api/queues', { token: ADMIN_TOKEN });
    expect(api.status).toBe(200);
    const queues = api.body.queues as { name: string; counts: Record<string, number> }[];
    expect(queues.map((queue) => queue.name)).toEqual(['ai-scale']);
    expect(queues[0]?.counts.completed).toBeGreaterThanOrEqual(1);
    const ready = await server.request('GET', '/health/ready');
    expect(ready.body.checks.queue.status).toBe('up');
    expect(ready.status).toBe(200);
  });

  it('counts the rate limit in the cluster (a tenant limited to 2 per minute gets 429)', async () => {
    await expectRateLimitedAfterTwo(server, ADMIN_TOKEN);
    const client = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      const keys = (
        await Promise.all(client.nodes('master').map((node) => node.keys('cache-e2e:ratelimit:*')))
      ).flat();
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      await client.quit();
    }
  });
});
