import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type BullmqRedisConnection } from '@ai-scale/queue/bullmq';
import { type AppConfig } from '../../config';
import { isRedisClusterUrl, parseRedisNodes, REDIS_CLUSTER_URL, type RedisNode } from './redis-url';

/**
 * Where the server's Redis is, parsed once from the config: one server (`REDIS_URL=redis://…`) or a
 * Redis Cluster (`REDIS_CLUSTER_NODES=host:port,host:port`, or `REDIS_URL=redis+cluster://[user:
 * password@]host:port,host:port`; `rediss+cluster://` for TLS). Every Redis user of the server —
 * queue, Bull Board, caches, rate limiter, readiness — builds its clients from this, so Cluster is
 * selected for all of them at once.
 */
export type { RedisNode };

export type RedisTarget =
  | { readonly kind: 'server'; readonly url: string }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly RedisNode[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

/** The configured Redis, or undefined when none is (the config schema requires one where a driver needs it). */
export function redisTarget(
  config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
): RedisTarget | undefined {
  if (config.REDIS_CLUSTER_NODES) {
    const nodes = parseRedisNodes(config.REDIS_CLUSTER_NODES);
    if (!nodes) throw new Error(`REDIS_CLUSTER_NODES: expected host:port,host:port`);
    // Credentials and TLS may still come from REDIS_URL (redis://user:password@…, rediss://…).
    const url =
      config.REDIS_URL && !isRedisClusterUrl(config.REDIS_URL) ? new URL(config.REDIS_URL) : undefined;
    return {
      kind: 'cluster',
      nodes,
      ...(url?.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url?.password ? { password: decodeURIComponent(url.password) } : {}),
      tls: url?.protocol === 'rediss:',
    };
  }
  if (!config.REDIS_URL) return undefined;
  const match = REDIS_CLUSTER_URL.exec(config.REDIS_URL);
  if (!match) return { kind: 'server', url: config.REDIS_URL };
  const nodes = parseRedisNodes(match[4] ?? '');
  if (!nodes) throw new Error(`REDIS_URL: expected redis+cluster://host:port,host:port`);
  return {
    kind: 'cluster',
    nodes,
    ...(match[2] ? { username: decodeURIComponent(match[2]) } : {}),
    ...(match[3] ? { password: decodeURIComponent(match[3]) } : {}),
    tls: match[1] === 'rediss',
  };
}

/**
 * A new ioredis client for `target` — a `Redis` or, on a Cluster, a `Cluster` (same command API) —
 * with `options` applied to every node connection. The caller owns it: close it with
 * {@link closeRedisClient}. Keys a caller uses together in one command or script must share a hash
 * tag (`{…}`) to work on a Cluster.
 */
export function createRedisClient(target: RedisTarget, options: RedisOptions = {}): Redis | Cluster {
  if (target.kind === 'server') return new Redis(target.url, options);
  const { lazyConnect, enableOfflineQueue, ...nodeOptions } = options;
  return new Cluster(
    target.nodes.map(({ host, port }) => ({ host, port })),
    {
      redisOptions: {
        ...nodeOptions,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(target.tls ? { tls: {} } : {}),
      },
      scaleReads: 'master',
      ...(lazyConnect === undefined ? {} : { lazyConnect }),
      ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    },
  );
}

/** `createRedisClient` for the configured Redis; throws when none is configured. */
export function createConfiguredRedisClient(
  config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
  options: RedisOptions = {},
): Redis | Cluster {
  const target = redisTarget(config);
  if (!target) throw new Error('no Redis configured (REDIS_URL or REDIS_CLUSTER_NODES)');
  return createRedisClient(target, options);
}

/** The same target as the BullMQ adapter's plain-data connection option. */
export function queueConnection(target: RedisTarget): BullmqRedisConnection {
  if (target.kind === 'server') return { url: target.url };
  return {
    clusterNodes: target.nodes,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    tls: target.tls,
  };
}

/** QUIT when connected (pending replies still arrive), otherwise drop the connection. */
export async function closeRedisClient(client: Redis | Cluster): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: drop the connection
    }
  }
  client.disconnect();
}
