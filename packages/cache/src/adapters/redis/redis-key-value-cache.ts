import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  CacheUnavailableError,
  InvalidCacheKeyError,
  InvalidCacheOptionsError,
  type JsonValue,
} from '../../index';
import { BaseKeyValueCache, type BaseCacheOptions } from '../../internal/base-key-value-cache';
import type { EncodedEntry } from '../../internal/stored-entry';
import { assertBound } from '../../internal/validation';

/** Connection settings; no ioredis type crosses this boundary. */
export interface RedisConnectionOptions {
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  readonly tls?: boolean;
}

export interface RedisComputeLockOptions {
  /** How long the lock is held at most (a crashed holder frees it after this). Default 10 s. */
  readonly ttlMs?: number;
  /** How long another process waits for the holder's value before computing itself. Default = ttlMs. */
  readonly waitMs?: number;
  /** Polling interval while waiting. Default 20 ms. */
  readonly pollMs?: number;
}

export interface RedisKeyValueCacheOptions extends BaseCacheOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). Takes precedence over `connection`. */
  readonly url?: string;
  readonly connection?: RedisConnectionOptions;
  /** Prefix of every key this cache writes: `[A-Za-z0-9_.:@%/-]`. Default `ai-scale:cache:`. */
  readonly keyPrefix?: string;
  /** Cross-process single-flight lock for `getOrCompute`; `false` disables it. Default on. */
  readonly computeLock?: RedisComputeLockOptions | false;
  /** A command that takes longer fails with `CacheUnavailableError`. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /**
   * Retention of entries set without a TTL: Redis is shared, so nothing this cache writes lives
   * forever (counters excepted). Default: `defaultTtlMs`, else 24 h.
   */
  readonly maxRetentionMs?: number;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:@%/-]{0,128}$/;
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const SCAN_BATCH = 500;

/** Escapes Redis glob metacharacters so a key prefix matches literally in SCAN MATCH. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

/**
 * A cache in Redis (standalone or Sentinel; not Redis Cluster, whose SCAN is per node) through ioredis 5,
 * which this adapter owns: pass a URL or connection options, call `close()` when done.
 *
 * Keys: `<prefix><namespace>|k|<key>` for entries, `|c|` for counters, `|l|` for compute locks.
 * Freshness is decided by this process's clock from deadlines stored in the entry; Redis `PX` reclaims
 * the entry once its stale window has passed.
 *
 * What it guarantees beyond the port:
 * - **Bounded**: every entry has a Redis TTL (`maxRetentionMs` when none is given); the memory bound
 *   is Redis's `maxmemory`. Use `maxmemory-policy volatile-lru` (or `volatile-ttl`): entries are
 *   then evicted while counters (no TTL) are kept. Under `allkeys-*` Redis may evict an invalidation
 *   counter, after which an answer invalidated earlier could be served again until its TTL ends.
 * - **Single-flight**: in one process exactly (shared promise). Across processes, with `computeLock`:
 *   the first process to miss takes `SET NX PX ttlMs`; the others poll for its value for up to `waitMs`
 *   and return it, and compute themselves only if the holder failed, stored nothing, or took longer.
 *   So N processes run one computation per key while computations finish within the lock TTL; never
 *   fewer than one, never a deadlock. If Redis is down the lock is skipped (fail open).
 */
export class RedisKeyValueCache extends BaseKeyValueCache {
  readonly name = 'redis';
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly lock: Required<RedisComputeLockOptions> | null;
  private readonly maxRetentionMs: number;
  private closed = false;

  constructor(options: RedisKeyValueCacheOptions = {}) {
    super(options);
    const prefix = options.keyPrefix ?? 'ai-scale:cache:';
    if (!PREFIX_PATTERN.test(prefix)) {
      throw new InvalidCacheKeyError('prefix', `keyPrefix must match ${PREFIX_PATTERN.source}`);
    }
    assertBound('commandTimeoutMs', options.commandTimeoutMs);
    assertBound('maxRetentionMs', options.maxRetentionMs);
    this.prefix = prefix;
    this.maxRetentionMs = options.maxRetentionMs ?? options.defaultTtlMs ?? 24 * 60 * 60 * 1000;
    if (options.computeLock === false) {
      this.lock = null;
    } else {
      const ttlMs = options.computeLock?.ttlMs ?? 10_000;
      this.lock = {
        ttlMs,
        waitMs: options.computeLock?.waitMs ?? ttlMs,
        pollMs: options.computeLock?.pollMs ?? 20,
      };
      for (const [name, value] of Object.entries(this.lock)) assertBound(`computeLock.${name}`, value);
    }
    const redisOptions: RedisOptions = {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      ...(options.connection?.tls ? { tls: {} } : {}),
      host: options.connection?.host,
      port: options.connection?.port,
      username: options.connection?.username,
      password: options.connection?.password,
      db: options.connection?.db,
    };
    if (options.url !== undefined) {
      try {
        new URL(options.url);
      } catch (error) {
        throw new InvalidCacheOptionsError('url', `not a URL (${(error as Error).message})`);
      }
    }
    this.client = options.url === undefined ? new Redis(redisOptions) : new Redis(options.url, redisOptions);
    // Errors surface on the commands as CacheUnavailableError; without a listener ioredis logs each retry.
    this.client.on('error', () => undefined);
  }

  private entryKey(namespace: string, key: string): string {
    return `${this.prefix}${namespace}|k|${key}`;
  }

  private counterKey(namespace: string, key: string): string {
    return `${this.prefix}${namespace}|c|${key}`;
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new CacheUnavailableError(`${operation} (cache closed)`);
    try {
      return await run();
    } catch (error) {
      throw new CacheUnavailableError(operation, error);
    }
  }

  protected async readRaw(namespace: string, key: string): Promise<string | undefined> {
    const text = await this.call('get', () => this.client.get(this.entryKey(namespace, key)));
    return text ?? undefined;
  }

  protected async readRawMany(
    namespace: string,
    keys: readonly string[],
  ): Promise<Array<string | undefined>> {
    const texts = await this.call('mget', () =>
      this.client.mget(keys.map((key) => this.entryKey(namespace, key))),
    );
    return texts.map((text) => text ?? undefined);
  }

  protected async writeRaw(namespace: string, key: string, entry: EncodedEntry): Promise<void> {
    const retainMs = entry.retainMs ?? this.maxRetentionMs;
    await this.call('set', () => this.client.set(this.entryKey(namespace, key), entry.text, 'PX', retainMs));
  }

  protected async deleteRaw(namespace: string, key: string): Promise<boolean> {
    return (await this.call('del', () => this.client.del(this.entryKey(namespace, key)))) > 0;
  }

  protected deleteRawByPrefix(namespace: string, keyPrefix: string): Promise<number> {
    return this.deleteMatching(`${escapeGlob(this.entryKey(namespace, keyPrefix))}*`);
  }

  protected clearRaw(namespace: string): Promise<number> {
    return this.deleteMatching(`${escapeGlob(`${this.prefix}${namespace}|`)}*`);
  }

  /** SCAN + UNLINK in batches: O(keyspace) but never blocks Redis the way KEYS would. */
  private deleteMatching(pattern: string): Promise<number> {
    return this.call('deleteByPattern', async () => {
      let cursor = '0';
      let deleted = 0;
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
        cursor = next;
        if (keys.length > 0) deleted += await this.client.unlink(...keys);
      } while (cursor !== '0');
      return deleted;
    });
  }

  protected incrementRaw(namespace: string, key: string, by: number): Promise<number> {
    return this.call('incrby', () => this.client.incrby(this.counterKey(namespace, key), by));
  }

  protected async readCounters(namespace: string, keys: readonly string[]): Promise<number[]> {
    const values = await this.call('mget', () =>
      this.client.mget(keys.map((key) => this.counterKey(namespace, key))),
    );
    return values.map((value) => (value === null ? 0 : Number(value)));
  }

  protected override async computeExclusively<T extends JsonValue>(
    namespace: string,
    key: string,
    produce: () => Promise<T>,
  ): Promise<T> {
    const lock = this.lock;
    if (lock === null) return produce();
    const lockKey = `${this.prefix}${namespace}|l|${key}`;
    const token = randomUUID();
    const deadline = Date.now() + lock.waitMs;
    for (;;) {
      let acquired: boolean;
      try {
        acquired = (await this.client.set(lockKey, token, 'PX', lock.ttlMs, 'NX')) === 'OK';
      } catch {
        return produce(); // Redis down: no lock, compute (fail open).
      }
      if (acquired) {
        try {
          return await produce();
        } finally {
          await this.client.eval(RELEASE_LOCK, 1, lockKey, token).catch(() => undefined);
        }
      }
      // Another process is computing: wait for its value, or for its lock to go.
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, lock.pollMs));
        const entry = await this.getEntry<T>(namespace, key).catch(() => undefined);
        if (entry !== undefined && !entry.stale) return entry.value;
        const holder = await this.client.exists(lockKey).catch(() => 0);
        if (holder === 0) break;
      }
      if (Date.now() >= deadline) return produce();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      // Connecting or reconnecting: QUIT would wait in the offline queue; stop the retries instead.
      this.client.disconnect();
    }
  }
}
