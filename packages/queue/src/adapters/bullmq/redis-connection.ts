import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import { InvalidQueueOptionsError } from '../../errors';

/** One seed node of a Redis Cluster. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Where the BullMQ adapter's Redis is, as plain data (no ioredis type crosses the adapter's API):
 * one server by URL, or a Redis Cluster by its seed nodes (any subset of the masters; the client
 * discovers the rest).
 */
export type BullmqRedisConnection =
  | { readonly url: string }
  | {
      readonly clusterNodes: readonly RedisNodeAddress[];
      readonly username?: string;
      readonly password?: string;
      /** TLS to every node (`rediss`); default false. */
      readonly tls?: boolean;
    };

export function isClusterConnection(
  connection: BullmqRedisConnection,
): connection is Extract<BullmqRedisConnection, { clusterNodes: readonly RedisNodeAddress[] }> {
  return 'clusterNodes' in connection;
}

/** The key prefix on a Cluster: a hash tag, so that every key of every queue lives in one slot. */
export const CLUSTER_PREFIX = '{ai-scale}';

/**
 * BullMQ's Lua scripts touch many keys of one queue at once, so on a Cluster all of them must hash to
 * one slot: Redis hashes only the part between the first `{` and the next `}` when there is one.
 */
export function checkClusterPrefix(prefix: string): void {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  if (open < 0 || close <= open + 1) {
    throw new InvalidQueueOptionsError(
      `on a Redis Cluster the queue prefix must contain a hash tag such as "${CLUSTER_PREFIX}" (got "${prefix}"): BullMQ needs all of a queue's keys in one slot`,
    );
  }
}

/**
 * A new ioredis client for `connection`: a `Redis` or a `Cluster`. Each BullMQ object of a Cluster
 * deployment gets its own (BullMQ does not close a client it was handed; the adapter does).
 */
export function createRedisClient(
  connection: BullmqRedisConnection,
  options: RedisOptions = {},
): Redis | Cluster {
  if (!isClusterConnection(connection)) return new Redis(connection.url, options);
  if (connection.clusterNodes.length === 0) {
    throw new InvalidQueueOptionsError('a Redis Cluster connection needs at least one seed node');
  }
  return new Cluster(
    connection.clusterNodes.map(({ host, port }) => ({ host, port })),
    {
      redisOptions: {
        ...options,
        ...(connection.username === undefined ? {} : { username: connection.username }),
        ...(connection.password === undefined ? {} : { password: connection.password }),
        ...(connection.tls ? { tls: {} } : {}),
      },
      // BullMQ's scripts must reach the master of the queue's slot; never read from replicas.
      scaleReads: 'master',
      lazyConnect: options.lazyConnect ?? false,
    },
  );
}

/** What a BullMQ object is constructed with, and how to release it once that object is closed. */
export interface BullmqConnectionLease {
  readonly connection: ConnectionOptions;
  release(): Promise<void>;
}

/**
 * The `connection` for one BullMQ object: connection options for one server (BullMQ creates and
 * closes its own clients), or a Cluster client of its own (BullMQ duplicates it where it needs a
 * blocking connection, and leaves closing it to us). `maxRetriesPerRequest: null`, as BullMQ requires.
 */
export function leaseBullmqConnection(connection: BullmqRedisConnection): BullmqConnectionLease {
  if (!isClusterConnection(connection)) {
    return { connection: { url: connection.url } as ConnectionOptions, release: () => Promise.resolve() };
  }
  const client = createRedisClient(connection, { maxRetriesPerRequest: null });
  client.on('error', () => undefined); // BullMQ reports through its own object; see its 'error' listener
  return { connection: client, release: () => closeRedisClient(client) };
}

/** QUIT when connected (pending replies arrive), otherwise drop the connection. */
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
