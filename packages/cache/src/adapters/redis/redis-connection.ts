import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { InvalidCacheOptionsError } from '../../errors/invalid-cache-options.error';

/** Connection settings of a standalone (or Sentinel-fronted) Redis; no ioredis type crosses this boundary. */
export interface RedisConnectionOptions {
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  readonly tls?: boolean;
}

/** A Redis Cluster: any subset of its nodes as seeds (the client discovers the others and the slots). */
export interface RedisClusterConnectionOptions {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: boolean;
}

/** Where the adapters of `@ai-scale/cache/redis` connect. `cluster` wins over `url`, `url` over `connection`. */
export interface RedisTargetOptions {
  /**
   * `redis://[user:password@]host:port[/db]` (or `rediss://`), or
   * `redis+cluster://[user:password@]host:port,host:port` (or `rediss+cluster://`) for a cluster.
   */
  readonly url?: string;
  readonly connection?: RedisConnectionOptions;
  readonly cluster?: RedisClusterConnectionOptions;
}

/** The client type the adapters use internally: both speak the same commands. */
export type RedisClient = Redis | Cluster;

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;

/** Parses `redis+cluster://[user:password@]host:port,host:port`; undefined for any other URL. */
export function parseClusterUrl(url: string): RedisClusterConnectionOptions | undefined {
  const match = CLUSTER_SCHEME.exec(url);
  if (match === null) return undefined;
  const [, scheme, username, password, hosts] = match;
  const nodes = (hosts as string).split(',').map((hostPort) => {
    const at = hostPort.lastIndexOf(':');
    const port = Number(hostPort.slice(at + 1));
    if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new InvalidCacheOptionsError('url', `expected host:port in a cluster URL, got "${hostPort}"`);
    }
    return { host: hostPort.slice(0, at), port };
  });
  return {
    nodes,
    ...(username ? { username: decodeURIComponent(username) } : {}),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    tls: scheme === 'rediss',
  };
}

/**
 * Resolves the target to a standalone or a cluster configuration, validating it (a bad URL or an empty
 * node list is an `InvalidCacheOptionsError`), without connecting.
 */
export function resolveRedisTarget(
  target: RedisTargetOptions,
): { kind: 'cluster'; cluster: RedisClusterConnectionOptions } | { kind: 'standalone'; url?: string } {
  const cluster = target.cluster ?? (target.url === undefined ? undefined : parseClusterUrl(target.url));
  if (cluster !== undefined) {
    if (!Array.isArray(cluster.nodes) || cluster.nodes.length === 0) {
      throw new InvalidCacheOptionsError('cluster.nodes', 'a cluster needs at least one seed node');
    }
    return { kind: 'cluster', cluster };
  }
  if (target.url !== undefined) {
    try {
      new URL(target.url);
    } catch (error) {
      throw new InvalidCacheOptionsError('url', `not a URL (${(error as Error).message})`);
    }
  }
  return { kind: 'standalone', ...(target.url === undefined ? {} : { url: target.url }) };
}

export interface ClientSettings {
  /** A command that takes longer fails; undefined for none (the blocking stream reader). */
  readonly commandTimeoutMs: number | undefined;
}

/** Opens an ioredis client (standalone or cluster) for an adapter; the adapter owns and closes it. */
export function createRedisClient(target: RedisTargetOptions, settings: ClientSettings): RedisClient {
  const resolved = resolveRedisTarget(target);
  const common: RedisOptions = {
    maxRetriesPerRequest: 1,
    ...(settings.commandTimeoutMs === undefined ? {} : { commandTimeout: settings.commandTimeoutMs }),
  };
  let client: RedisClient;
  if (resolved.kind === 'cluster') {
    const { cluster } = resolved;
    const options: ClusterOptions = {
      redisOptions: {
        ...common,
        ...(cluster.username === undefined ? {} : { username: cluster.username }),
        ...(cluster.password === undefined ? {} : { password: cluster.password }),
        ...(cluster.tls ? { tls: {} } : {}),
      },
      // A slot move (resharding, failover) is followed, not surfaced as an error.
      maxRedirections: 16,
      retryDelayOnFailover: 100,
    };
    client = new Cluster(
      cluster.nodes.map(({ host, port }) => ({ host, port })),
      options,
    );
  } else {
    const connection = target.connection;
    const options: RedisOptions = {
      ...common,
      ...(connection?.tls ? { tls: {} } : {}),
      host: connection?.host,
      port: connection?.port,
      username: connection?.username,
      password: connection?.password,
      db: connection?.db,
    };
    client = resolved.url === undefined ? new Redis(options) : new Redis(resolved.url, options);
  }
  // Errors surface on the commands; without a listener ioredis logs each retry.
  client.on('error', () => undefined);
  return client;
}

/** Closes a client whether it is connected or still retrying (QUIT would wait in the offline queue). */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}
