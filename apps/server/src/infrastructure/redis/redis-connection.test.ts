import { Cluster, Redis } from 'ioredis';
import { parseConfig } from '../../config';
import { closeRedisClient, createRedisClient, queueConnection, redisTarget } from './redis-connection';
import { isRedisClusterUrl, parseRedisNodes } from './redis-url';

describe('Redis connection factory', () => {
  it('parses host:port lists, IPv6 in brackets, and refuses malformed entries', () => {
    expect(parseRedisNodes('10.0.0.1:7000, redis-2:7001,[::1]:7002')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-2', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    for (const bad of ['', 'host', 'host:', 'host:0', 'host:70000', 'a:1,,b:2', 'a b:1']) {
      expect(parseRedisNodes(bad)).toBeUndefined();
    }
    expect(isRedisClusterUrl('redis+cluster://a:1,b:2')).toBe(true);
    expect(isRedisClusterUrl('rediss+cluster://user:p%40ss@a:1,b:2/')).toBe(true);
    expect(isRedisClusterUrl('redis+cluster://a,b:2')).toBe(false);
    expect(isRedisClusterUrl('redis://a:1')).toBe(false);
  });

  it('selects a server or a Cluster from REDIS_URL / REDIS_CLUSTER_NODES', () => {
    expect(redisTarget({ REDIS_URL: undefined, REDIS_CLUSTER_NODES: undefined })).toBeUndefined();
    expect(redisTarget({ REDIS_URL: 'redis://r:6379/2', REDIS_CLUSTER_NODES: undefined })).toEqual({
      kind: 'server',
      url: 'redis://r:6379/2',
    });
    expect(
      redisTarget({ REDIS_URL: 'rediss+cluster://app:p%40ss@a:7000,b:7001', REDIS_CLUSTER_NODES: undefined }),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    // REDIS_CLUSTER_NODES wins; a plain REDIS_URL may still carry the credentials and TLS.
    expect(redisTarget({ REDIS_URL: 'rediss://:secret@ignored:1', REDIS_CLUSTER_NODES: 'a:7000' })).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'a', port: 7000 }],
      password: 'secret',
      tls: true,
    });
  });

  it('maps the target to the queue adapter connection and builds the matching ioredis client', async () => {
    const cluster = { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 1 }], tls: false } as const;
    expect(queueConnection(cluster)).toEqual({ clusterNodes: cluster.nodes, tls: false });
    expect(queueConnection({ kind: 'server', url: 'redis://x:1' })).toEqual({ url: 'redis://x:1' });
    const clusterClient = createRedisClient(cluster, { lazyConnect: true });
    const serverClient = createRedisClient(
      { kind: 'server', url: 'redis://127.0.0.1:1' },
      { lazyConnect: true },
    );
    expect(clusterClient).toBeInstanceOf(Cluster);
    expect(serverClient).toBeInstanceOf(Redis);
    await Promise.all([closeRedisClient(clusterClient), closeRedisClient(serverClient)]);
  });

  it('config: accepts the cluster forms, reports a malformed one, and either satisfies the Redis drivers', () => {
    expect(() => parseConfig({ QUEUE_DRIVER: 'bullmq', REDIS_URL: 'redis+cluster://a:1,b:2' })).not.toThrow();
    expect(() => parseConfig({ QUEUE_DRIVER: 'bullmq', REDIS_CLUSTER_NODES: 'a:1,b:2' })).not.toThrow();
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: 'a:1,b' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => parseConfig({ REDIS_URL: 'redis+cluster://a' })).toThrow(/REDIS_URL/);
  });
});
