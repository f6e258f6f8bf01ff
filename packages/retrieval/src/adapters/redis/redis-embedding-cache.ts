import { Cluster, Redis } from 'ioredis';
import type { EmbeddingCache } from '../../ports';

export interface RedisEmbeddingCacheOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` of a standalone Redis. */
  readonly url?: string;
  /** A Redis Cluster instead: any of its nodes as seeds. Every command has one key, so no slot is crossed. */
  readonly cluster?: {
    readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
    readonly username?: string;
    readonly password?: string;
    readonly tls?: boolean;
  };
  /** Prepended to every key, e.g. `ai-scale:emb:` (default). */
  readonly keyPrefix?: string;
  /** Entries expire after this many seconds (default 30 days; an embedding of a hash never changes). */
  readonly ttlSeconds?: number;
  /** Milliseconds a command may take before it counts as a miss (default 1,000). */
  readonly commandTimeoutMs?: number;
}

/**
 * The embedding cache in Redis, shared by every worker and API replica: a chunk embedded once (by
 * model and content hash, the key the service builds) is never sent to the embedder again by any
 * process. Vectors are stored as little-endian float64 bytes, so what comes back is bit-for-bit
 * what was embedded. A Redis that is slow or down makes `get` a miss and `set` a no-op for the
 * service (it treats both as cache failures), so ingestion goes on, embedding again.
 */
export class RedisEmbeddingCache implements EmbeddingCache {
  private readonly client: Redis | Cluster;
  private readonly keyPrefix: string;
  private readonly ttlSeconds: number;

  constructor(options: RedisEmbeddingCacheOptions) {
    const commandTimeout = options.commandTimeoutMs ?? 1_000;
    const common = { commandTimeout, connectTimeout: 2_000, maxRetriesPerRequest: 1 } as const;
    const cluster = options.cluster;
    if (cluster && cluster.nodes.length > 0) {
      this.client = new Cluster(
        cluster.nodes.map((node) => ({ ...node })),
        {
          redisOptions: {
            ...common,
            ...(cluster.username ? { username: cluster.username } : {}),
            ...(cluster.password ? { password: cluster.password } : {}),
            ...(cluster.tls ? { tls: {} } : {}),
          },
        },
      );
    } else if (options.url) {
      this.client = new Redis(options.url, common);
    } else {
      throw new TypeError('RedisEmbeddingCache needs a url or a cluster');
    }
    // Errors reach the caller through the command's promise; an unhandled 'error' event would crash.
    this.client.on('error', () => undefined);
    this.keyPrefix = options.keyPrefix ?? 'ai-scale:emb:';
    this.ttlSeconds = options.ttlSeconds ?? 30 * 24 * 3600;
  }

  async get(key: string): Promise<readonly number[] | null> {
    const bytes = await this.client.getBuffer(this.keyPrefix + key);
    if (bytes === null) return null;
    if (bytes.byteLength % 8 !== 0) return null;
    const vector = new Array<number>(bytes.byteLength / 8);
    for (let index = 0; index < vector.length; index += 1) vector[index] = bytes.readDoubleLE(index * 8);
    return vector;
  }

  async set(key: string, vector: readonly number[]): Promise<void> {
    const bytes = Buffer.allocUnsafe(vector.length * 8);
    vector.forEach((value, index) => bytes.writeDoubleLE(value, index * 8));
    await this.client.set(this.keyPrefix + key, bytes, 'EX', this.ttlSeconds);
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}
