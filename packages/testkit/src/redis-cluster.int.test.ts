import { connect } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { describeWithRedisCluster, startRedisCluster, type RedisCluster } from './redis-cluster';

describeWithRedisCluster('startRedisCluster (3 real masters on loopback)', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts three masters that share the 16384 slots and report cluster_state:ok', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.url).toBe(
      `redis+cluster://${cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',')}`,
    );
    for (const node of cluster.nodes) {
      const client = new Redis({ host: node.host, port: node.port, lazyConnect: true });
      try {
        await client.connect();
        const info = await client.cluster('INFO');
        expect(info).toContain('cluster_state:ok');
        expect(info).toContain('cluster_slots_assigned:16384');
        expect(info).toContain('cluster_known_nodes:3');
      } finally {
        await client.quit();
      }
    }
  });

  it('serves a cluster client: keys spread over the masters, hash-tagged keys share one slot', async () => {
    const client = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
    try {
      const keys = Array.from({ length: 30 }, (_, index) => `key-${index}`);
      for (const key of keys) await client.set(key, key.toUpperCase());
      for (const key of keys) expect(await client.get(key)).toBe(key.toUpperCase());
      const owners = new Set<number>();
      for (const node of client.nodes('master')) {
        if ((await node.dbsize()) > 0) owners.add(node.options.port ?? 0);
      }
      expect(owners.size).toBe(3);
      // A multi-key command across slots is refused; within one hash tag it works.
      await expect(client.mget('key-1', 'key-2')).rejects.toThrow(/CROSSSLOT/);
      await client.mset('{tag}a', '1', '{tag}b', '2');
      expect(await client.mget('{tag}a', '{tag}b')).toEqual(['1', '2']);
    } finally {
      await client.quit();
    }
  });

  it('stop() kills every node and is idempotent', async () => {
    const other = await startRedisCluster();
    const ports = other.nodes.map(({ port }) => port);
    expect(ports.some((port) => cluster.nodes.some((node) => node.port === port))).toBe(false);
    await other.stop();
    await other.stop();
    for (const port of ports) {
      await expect(
        new Promise((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port }, () => socket.end(() => resolve(port)));
          socket.once('error', reject);
        }),
      ).rejects.toThrow(/ECONNREFUSED/);
    }
  }, 60_000);
});
